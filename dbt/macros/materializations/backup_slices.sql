{#-
  `backup_slices`: a table whose rows are slices keyed by `backup_id`, rebuilt a slice at a time (the models' own
  SQL selects only the requested backups, `backup_filter`).

    - No table yet, or --full-refresh: the table is created from the model's rows (swapped in under its name).
    - Otherwise, one transaction: delete the requested slices, insert the model's rows. A slice whose new result is
      empty is left empty; a crash leaves the old slices.

  This is dbt's delete+insert on the slice key, without the temporary table that dbt's `incremental` stages every
  row in first: each row is written once, and a slice costs two statements and two cheap introspections (the
  query's columns, the table's columns). Columns the model gains are added to the table (null in older slices);
  columns it loses stay in the table and are null in new slices (`append_new_columns`).
-#}
{% materialization backup_slices, default %}
    {{ return(build_slices(backup_filter('backup_id'))) }}
{% endmaterialization %}


{#- The body of every slice materialization (`backup_slices`, `hour_slices`): `slice_filter` selects the slices
    the model's rows replace. -#}
{% macro build_slices(slice_filter) %}
    {%- set existing = load_cached_relation(this) -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set rebuild = existing is none or should_full_refresh() or existing.is_view -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if rebuild -%}
        {%- set to_drop = swap_in_new_table(existing, target, compiled_code) -%}
    {%- else -%}
        {%- set to_drop = [] -%}
        {%- set columns = slice_columns(target, compiled_code) -%}
        {%- call statement('main') -%}
            {{ replace_slices_sql(target, compiled_code, columns, slice_filter) }}
        {%- endcall -%}
    {%- endif -%}

    {% do apply_grants(target, grant_config, should_revoke=should_revoke(existing, rebuild)) %}
    {% do persist_docs(target, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {%- for relation in to_drop -%}
        {% do adapter.drop_relation(relation) %}
    {%- endfor -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmacro %}


{#- Builds the whole table under a temporary name and swaps it in; returns the relations to drop after commit. -#}
{% macro swap_in_new_table(existing, target, sql) %}
    {%- if existing is none -%}
        {%- call statement('main') -%}{{ get_create_table_as_sql(False, target, sql) }}{%- endcall -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set intermediate = make_intermediate_relation(target) -%}
    {%- set backup = make_backup_relation(target, existing.type) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup)) }}
    {%- call statement('main') -%}{{ get_create_table_as_sql(False, intermediate, sql) }}{%- endcall -%}
    {% do adapter.rename_relation(existing, backup) %}
    {% do adapter.rename_relation(intermediate, target) %}
    {{ return([backup]) }}
{% endmacro %}


{#-
  The model's column names, after adding to `target` those it lacks. Their types come from an empty table of the
  model's shape (the adapter's types for a column, not a cursor's type codes); only when columns are missing.
-#}
{% macro slice_columns(target, sql) %}
    {%- set produced = get_column_schema_from_query(sql) | map(attribute='name') | list -%}
    {%- set present = adapter.get_columns_in_relation(target) | map(attribute='name') | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for name in produced if name | lower not in present -%}
        {% do missing.append(name | lower) %}
    {%- endfor -%}
    {%- if missing -%}
        {%- set shape = make_intermediate_relation(target) -%}
        {{ drop_relation_if_exists(load_cached_relation(shape)) }}
        {% do run_query(get_create_table_as_sql(False, shape, 'select * from (' ~ sql ~ ') as slices where 1 = 0')) %}
        {%- set added = [] -%}
        {%- for column in adapter.get_columns_in_relation(shape) if column.name | lower in missing -%}
            {% do added.append(column) %}
        {%- endfor -%}
        {% do adapter.drop_relation(shape) %}
        {% do log('backup_slices: ' ~ target ~ ' gains ' ~ (missing | join(', ')), info=true) %}
        {% do alter_relation_add_remove_columns(target, added, none) %}
    {%- endif -%}
    {{ return(produced) }}
{% endmacro %}


{#- Replace the slices of `target` that `slice_filter` selects by the rows of `sql`, atomically. -#}
{% macro replace_slices_sql(target, sql, columns, slice_filter) %}
    {%- set dml -%}
        delete from {{ target }} where {{ slice_filter }};
        insert into {{ target }} ({{ columns | join(', ') }})
        select {{ columns | join(', ') }} from (
            {{ sql }}
        ) as slices
    {%- endset -%}
    {{ return(adapter.dispatch('slice_transaction', 'apollo')(dml)) }}
{% endmacro %}


{#- DuckDB: dbt has opened the model's transaction already. Snowflake autocommits each statement: wrap them. -#}
{% macro default__slice_transaction(dml) -%}
    {{ return(dml) }}
{%- endmacro %}

{% macro snowflake__slice_transaction(dml) -%}
    {{ return(snowflake_dml_explicit_transaction(dml)) }}
{%- endmacro %}
