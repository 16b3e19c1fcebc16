{#-
  `backup_versions`: a model stored as versions of its entities (macros/versions.sql says why and how models
  select their candidates). Three relations per model:

    <model>__versions   the model's columns (without backup_id), valid_from_backup, valid_to_backup, _version_hash
    <model>__backups    the backups the model was built for
    <model>             a view: one row per built backup and entity valid in it, with backup_id

  The model's SQL (`version_rows`) gives the rows of its candidate keys per step, and a marker row per step. They
  are written to `<model>__delta`, compared with the versions they would replace (`<model>__changes`: the
  candidates whose rows differ from the backup before, by row count and a sum of row hashes), then, in one
  transaction: the versions after the plan's base are dropped and those it ended are opened again (a rebuild of
  an old backup), the changed keys' current versions are closed at their first change, their new rows are
  inserted, and the steps are recorded as built. A candidate without rows is closed: removed from that backup on.

  No versions yet, or --full-refresh: they are created empty first. Columns the model gains are added to the
  versions (null in older versions); columns it loses stay, null in new versions, and leave the view.
  config: version_key (the entity's key column, never null; the rows of one key are versioned together).
-#}
{% materialization backup_versions, default %}
    {%- set key = config.require('version_key') -%}
    {%- set versions = versions_relation(this) -%}
    {%- set registry = registry_relation(this) -%}
    {%- set delta = this.incorporate(path={'identifier': this.identifier ~ '__delta'}, type='table') -%}
    {%- set changes = this.incorporate(path={'identifier': this.identifier ~ '__changes'}, type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set stored_versions = adapter.get_relation(versions.database, versions.schema, versions.identifier) -%}
    {%- set start_over = should_full_refresh() or stored_versions is none -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {{ drop_relation_if_exists(load_cached_relation(delta)) }}
    {{ drop_relation_if_exists(load_cached_relation(changes)) }}
    {%- call statement('delta') -%}{{ get_create_table_as_sql(False, delta, compiled_code) }}{%- endcall -%}
    {%- set delta_columns = adapter.get_columns_in_relation(delta) -%}
    {%- set names = delta_columns | map(attribute='name') | map('lower') | list -%}
    {%- set stored = names | reject('in', ['_step', '_key', 'backup_id']) | list -%}
    {%- set steps = run_query('select distinct _step from ' ~ delta ~ ' order by 1').columns[0].values()
        | map('string') | list -%}

    {%- if start_over -%}
        {%- set held = [] -%}
        {{ create_versions(versions, registry, delta, stored) }}
    {%- else -%}
        {%- set held = registered_backups(this) -%}
        {{ versions_gain_columns(versions, delta_columns, stored) }}
    {%- endif -%}

    {%- if steps -%}
        {%- set earlier = held | select('lt', steps[0]) | list -%}
        {%- set base = earlier[-1] if earlier else none -%}
        {%- call statement('changes') -%}
            {{ get_create_table_as_sql(False, changes, version_changes_sql(versions, delta, stored, key, base)) }}
        {%- endcall -%}
        {%- call statement('main') -%}
            {{ adapter.dispatch('slice_transaction', 'apollo')(
                apply_versions_sql(versions, registry, delta, changes, stored, key, base, held)) }}
        {%- endcall -%}
    {%- else -%}
        {%- call statement('main') -%}select 1 as nothing_to_build{%- endcall -%}
    {%- endif -%}

    {%- set shown = versions_view_columns(versions, names) -%}
    {%- if existing is not none and not existing.is_view -%}
        {#- a table from before versions (one slice per backup): the build above replaced it -#}
        {{ drop_relation_if_exists(existing) }}
    {%- endif -%}
    {% do run_query(versions_view_sql(this, versions, registry, shown)) %}

    {% do persist_docs(this, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {% do adapter.drop_relation(delta) %}
    {% do adapter.drop_relation(changes) %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [this]}) }}
{% endmaterialization %}


{#- Empty versions and registry (replacing any), shaped like the delta. -#}
{% macro create_versions(versions, registry, delta, stored) %}
    {%- set shape -%}
        select
            {%- for column in stored %}
            {{ lake_ident(column) }},
            {%- endfor %}
            cast(null as {{ dbt.type_string() }}) as valid_from_backup,
            cast(null as {{ dbt.type_string() }}) as valid_to_backup,
            {{ row_hash(stored) }} as _version_hash
        from {{ delta }}
        where 1 = 0
    {%- endset -%}
    {{ drop_relation_if_exists(adapter.get_relation(versions.database, versions.schema, versions.identifier)) }}
    {{ drop_relation_if_exists(adapter.get_relation(registry.database, registry.schema, registry.identifier)) }}
    {% do run_query(get_create_table_as_sql(False, versions, shape)) %}
    {% do run_query(get_create_table_as_sql(False, registry,
        'select _step as backup_id from ' ~ delta ~ ' where 1 = 0')) %}
    {#- later models of this invocation look them up (registered_backups, versions_relation) -#}
    {% do adapter.cache_added(cached_name(versions)) %}
    {% do adapter.cache_added(cached_name(registry)) %}
{% endmacro %}


{#- A new table as the relation cache lists it (Snowflake: unquoted names in upper case). -#}
{% macro cached_name(relation) -%}
    {{ return(adapter.dispatch('cached_name', 'apollo')(relation)) }}
{%- endmacro %}

{% macro default__cached_name(relation) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro snowflake__cached_name(relation) -%}
    {{ return(relation.incorporate(path={
        'database': relation.database | upper, 'schema': relation.schema | upper, 'identifier': relation.identifier | upper
    })) }}
{%- endmacro %}


{#- A hash of a row's columns (nulls included). -#}
{% macro row_hash(columns, alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    hash({% for column in columns %}{{ p }}{{ lake_ident(column) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}


{#-
  The candidates (key, step) whose rows differ from those before them (the key's previous step in the delta, or
  for its first, its versions valid at the base), each with the key's next change (`next_step`, null: none).
-#}
{% macro version_changes_sql(versions, delta, stored, key, base) -%}
    {%- set hash = row_hash(stored, 'delta') -%}
    with states as (

        select
            delta._key,
            delta._step,
            count(delta.backup_id) as row_count,
            sum(case when delta.backup_id is not null then {{ hash }} end) as row_hash_sum
        from {{ delta }} as delta
        where delta._key is not null
        group by delta._key, delta._step

    ),

    base_state as (

        {%- if base is none %}
        select _key, row_count, row_hash_sum from states where 1 = 0
        {%- else %}
        select versions.{{ lake_ident(key) }} as _key, count(*) as row_count, sum(versions._version_hash) as row_hash_sum
        from {{ versions }} as versions
        where {{ valid_at(base, 'versions') }}
            and versions.{{ lake_ident(key) }} in (select _key from states)
        group by versions.{{ lake_ident(key) }}
        {%- endif %}

    ),

    compared as (

        select
            states._key,
            states._step,
            states.row_count,
            states.row_hash_sum,
            case when row_number() over (partition by states._key order by states._step) = 1
                then coalesce(base_state.row_count, 0)
                else lag(states.row_count) over (partition by states._key order by states._step)
            end as previous_count,
            case when row_number() over (partition by states._key order by states._step) = 1
                then base_state.row_hash_sum
                else lag(states.row_hash_sum) over (partition by states._key order by states._step)
            end as previous_hash_sum
        from states
        left join base_state
            on base_state._key = states._key

    ),

    changed as (

        select _key, _step
        from compared
        where row_count <> previous_count
            or (row_count > 0 and row_hash_sum <> previous_hash_sum)

    )

    select
        _key,
        _step,
        lead(_step) over (partition by _key order by _step) as next_step
    from changed
{%- endmacro %}


{#-
  One transaction: back to the state of `base` (versions begun after it dropped, those ended after it opened
  again, later backups unrecorded), then the changed keys' current versions closed at their first change, their
  new rows inserted (valid until their next change), and the delta's steps recorded.
-#}
{% macro apply_versions_sql(versions, registry, delta, changes, stored, key, base, held) -%}
    {%- set later = held | select('gt', base or '') | list -%}
    {%- if later and base is none %}
    delete from {{ versions }};
    delete from {{ registry }};
    {%- elif later %}
    delete from {{ versions }} where valid_from_backup > {{ backup_literal(base) }};
    update {{ versions }} set valid_to_backup = null where valid_to_backup > {{ backup_literal(base) }};
    delete from {{ registry }} where backup_id > {{ backup_literal(base) }};
    {%- endif %}
    {{ close_versions_sql(versions, changes, key) }};
    insert into {{ versions }} ({% for c in stored %}{{ lake_ident(c) }}, {% endfor %}valid_from_backup, valid_to_backup, _version_hash)
    select
        {%- for column in stored %}
        delta.{{ lake_ident(column) }},
        {%- endfor %}
        delta._step,
        changes.next_step,
        {{ row_hash(stored, 'delta') }}
    from {{ delta }} as delta
    inner join {{ changes }} as changes
        on changes._key = delta._key
        and changes._step = delta._step
    where delta.backup_id is not null;
    insert into {{ registry }} (backup_id)
    select distinct _step from {{ delta }}
{%- endmacro %}


{#- The current versions of the changed keys end at the key's first change (a merge on both warehouses). -#}
{% macro close_versions_sql(versions, changes, key) -%}
    {{ return(adapter.dispatch('close_versions_sql', 'apollo')(versions, changes, key)) }}
{%- endmacro %}

{% macro default__close_versions_sql(versions, changes, key) -%}
    merge into {{ versions }} as versions
    using (select _key, min(_step) as first_step from {{ changes }} group by _key) as first_change
        on versions.{{ lake_ident(key) }} = first_change._key
        and versions.valid_to_backup is null
    when matched then update set valid_to_backup = first_change.first_step
{%- endmacro %}

{% macro snowflake__close_versions_sql(versions, changes, key) -%}
    {%- if is_fakesnow() -%}
        {{ return(fakesnow_close_versions_sql(versions, changes, key)) }}
    {%- endif -%}
    {{ return(default__close_versions_sql(versions, changes, key)) }}
{%- endmacro %}

{#-
  fakesnow (tests only): its MERGE writes to its own catalog database, which DuckDB refuses in a transaction that
  has written to the warehouse's; the same update as an UPDATE … FROM.
-#}
{% macro fakesnow_close_versions_sql(versions, changes, key) -%}
    update {{ versions }}
    set valid_to_backup = first_change.first_step
    from (select _key, min(_step) as first_step from {{ changes }} group by _key) as first_change
    where {{ versions }}.{{ lake_ident(key) }} = first_change._key
        and {{ versions }}.valid_to_backup is null
{%- endmacro %}


{#- Add to the versions the delta's columns they lack (null in the versions before). -#}
{% macro versions_gain_columns(versions, delta_columns, stored) %}
    {%- set present = adapter.get_columns_in_relation(versions) | map(attribute='name') | map('lower') | list -%}
    {%- set added = [] -%}
    {%- for column in delta_columns if column.name | lower in stored and column.name | lower not in present -%}
        {% do added.append(column) %}
    {%- endfor -%}
    {%- if added -%}
        {% do log('backup_versions: ' ~ versions ~ ' gains ' ~ (added | map(attribute='name') | join(', ')), info=true) %}
        {% do alter_relation_add_remove_columns(versions, added, none) %}
    {%- endif -%}
{% endmacro %}


{#- The view's columns: the model's own, in its order; bookkeeping (a leading underscore) is not shown. -#}
{% macro versions_view_columns(versions, names) %}
    {%- set shown = [] -%}
    {%- for name in names if not name.startswith('_') -%}
        {%- do shown.append(name) -%}
    {%- endfor -%}
    {{ return(shown) }}
{% endmacro %}


{#- Every built backup with the versions valid in it. -#}
{% macro versions_view_sql(view, versions, registry, columns) -%}
    create or replace view {{ view }} as
    select
        {%- for column in columns %}
        {{ 'registry.backup_id' if column == 'backup_id' else 'versions.' ~ lake_ident(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ versions }} as versions
    inner join {{ registry }} as registry
        on versions.valid_from_backup <= registry.backup_id
        and (versions.valid_to_backup is null or registry.backup_id < versions.valid_to_backup)
{%- endmacro %}
