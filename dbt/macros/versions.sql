{#-
  Versioned models (materialization `backup_versions`, macros/materializations/backup_versions.sql).

  A backup is a whole snapshot of the product database, but from one backup to the next few documents change. A
  versioned model stores versions, not copies: each row of `<model>__versions` is one version of an entity's rows,
  valid from the backup that first had it (`valid_from_backup`) until the backup that changed or removed it
  (`valid_to_backup`, null while it is current). `<model>__backups` lists the backups the model was built for, and
  the model's own relation is a view answering per backup, as if every backup were stored whole:

      select * from staging.stg_people where backup_id = '20261102T040000Z'   -- that backup, as it was

  Models read their versioned inputs "as of" the backups they build, with one macro: {{ as_of(ref('x'), plan) }}.

  A build (`backup_ids`, the run's partitions) computes backups in order, each against the one before it (the
  model's `base`, then the previous step), and only for the entities that may have changed:
      - staging: the lake documents whose row hash differs from the previous backup's (`lake_candidates`);
      - derived models: the entities whose inputs have a version that begins or ends at that backup
        (`changed_keys`), or every entity for the first backup ever built (`plan.complete`).
  Rebuilding an old backup rebuilds every later backup the model holds (they were computed against it).

  A model's SQL ends with {{ version_rows(plan, 'candidates', 'rows', key) }}: the rows of its candidate keys per
  backup (a candidate without rows: removed from that backup on), which the materialization compares with the
  versions they would replace.
-#}


{% macro versions_relation(relation) -%}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__versions'}, type='table')) }}
{%- endmacro %}

{% macro registry_relation(relation) -%}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__backups'}, type='table')) }}
{%- endmacro %}


{#- A backup id as an SQL literal. Ids come from `backup_ids` (checked by the caller) or from our own tables. -#}
{% macro backup_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro in_backups(column, backups) -%}
    {%- if backups | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in ({% for b in backups %}{{ backup_literal(b) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}


{#- The backups a versioned model was built for, oldest first (empty before its first build, or at parse time). -#}
{% macro registered_backups(relation) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set registry = registry_relation(relation) -%}
        {%- if adapter.get_relation(registry.database, registry.schema, registry.identifier) is not none -%}
            {%- for row in run_query('select backup_id from ' ~ registry ~ ' order by backup_id') -%}
                {%- do found.append(row[0] | string) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#- The backups a lake relation holds (what a build without `backup_ids` covers). -#}
{% macro lake_backups(relation) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for row in run_query('select distinct _backup_id from ' ~ relation ~ ' order by 1') -%}
            {%- do found.append(row[0] | string) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#-
  What this build computes for the model being rendered:
    steps     the backups to compute, oldest first: the requested ones (`backup_ids`; absent: every backup of
              the inputs) and every later backup the model holds;
    base      the last backup the model holds before the first step (none: the model starts from nothing);
    previous  {step: the backup it is compared with} (base for the first step, then the step before);
    complete  the first step is computed for every entity (nothing to compare it with).
  `lake`: the lake relation of a staging model. `upstreams`: the versioned models a derived model reads; their
  backups are the ones it can compute, and a step is only compared with the backup before it when every upstream
  holds the same backups in between (else the model is computed again from its inputs' first backup).
-#}
{% macro version_plan(lake=none, upstreams=[]) -%}
    {%- set requested = backup_ids() -%}
    {%- set held = [] if should_full_refresh() else registered_backups(this) -%}
    {%- set available = none -%}
    {%- if upstreams -%}
        {%- set available = registered_backups(upstreams[0]) -%}
        {%- for upstream in upstreams[1:] -%}
            {%- if registered_backups(upstream) != available -%}
                {%- set available = available | select('in', registered_backups(upstream)) | list -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if requested is none -%}
        {%- set requested = available if available is not none else lake_backups(lake) -%}
    {%- endif -%}
    {{ return(plan_steps(requested | map('string') | list, held, available)) }}
{%- endmacro %}


{#- The pure part of version_plan: the steps from the requested, held and available backups. -#}
{% macro plan_steps(requested, held, available=none) -%}
    {%- set requested = requested | unique | sort | list -%}
    {%- if not requested -%}
        {{ return({'steps': [], 'base': none, 'previous': {}, 'complete': false}) }}
    {%- endif -%}
    {%- set first = requested[0] -%}
    {%- set earlier = held | select('lt', first) | list -%}
    {%- set base = earlier[-1] if earlier else none -%}
    {%- set steps = requested + (held | select('gt', first) | list) -%}
    {%- if available is not none -%}
        {%- set last = steps | max -%}
        {#- the inputs' backups in between are computed too, so that each step follows the one before it -#}
        {%- set between = available | select('gt', base or '') | select('le', last) | list -%}
        {%- set steps = steps + between -%}
        {%- if base is not none and base not in available -%}
            {#- the inputs no longer hold the backup this model would start from: compute every backup again -#}
            {%- set base = none -%}
            {%- set steps = steps + held -%}
        {%- endif -%}
        {%- set steps = steps | select('in', available) | list -%}
    {%- endif -%}
    {%- set steps = steps | unique | sort | list -%}
    {%- set previous = {} -%}
    {%- set before = namespace(backup=base) -%}
    {%- for step in steps -%}
        {%- do previous.update({step: before.backup}) -%}
        {%- set before.backup = step -%}
    {%- endfor -%}
    {{ return({'steps': steps, 'base': base, 'previous': previous, 'complete': base is none}) }}
{%- endmacro %}


{#- Versions valid at `backup`: a condition on valid_from_backup / valid_to_backup. -#}
{% macro valid_at(backup, alias=none) -%}
    {%- set p = alias ~ '.' if alias else '' -%}
    {{ p }}valid_from_backup <= {{ backup_literal(backup) }}
    and ({{ p }}valid_to_backup is null or {{ p }}valid_to_backup > {{ backup_literal(backup) }})
{%- endmacro %}


{#- The versions' own columns, which no model reads. -#}
{% macro version_columns() -%}
    {{ return(['valid_from_backup', 'valid_to_backup', '_version_hash']) }}
{%- endmacro %}


{#-
  "As of backup X": the rows of a versioned model (`relation`, a ref) valid at each of `backups` (a list, or a plan:
  its steps), with `backup_id` = X, as the model held them in that backup. Every model reads its versioned inputs
  through this macro.
-#}
{% macro as_of(relation, backups) -%}
    {%- set backups = backups.steps if backups is mapping else backups -%}
    {%- set versions = versions_relation(relation) -%}
    {%- set columns = star_except('versions', version_columns()) -%}
    {%- if backups | length == 1 -%}
    (
        select {{ columns }}, cast({{ backup_literal(backups[0]) }} as {{ dbt.type_string() }}) as backup_id
        from {{ versions }} as versions
        where {{ valid_at(backups[0], 'versions') }}
    )
    {%- else -%}
    (
        select {{ columns }}, steps.backup_id
        from {{ versions }} as versions
        inner join ({{ backup_values(backups) }}) as steps
            on versions.valid_from_backup <= steps.backup_id
            and (versions.valid_to_backup is null or versions.valid_to_backup > steps.backup_id)
    )
    {%- endif -%}
{%- endmacro %}


{#- A relation with one row per backup (`backup_id`); no row for an empty list. -#}
{% macro backup_values(backups) -%}
    {%- for backup in backups -%}
    select cast({{ backup_literal(backup) }} as {{ dbt.type_string() }}) as backup_id
    {{ 'union all' if not loop.last }}
    {% endfor -%}
    {%- if not backups -%}
    select cast(null as {{ dbt.type_string() }}) as backup_id where 1 = 0
    {%- endif -%}
{%- endmacro %}


{#-
  The versions of `relation` (a ref) that begin or end at each compared step of the plan, with that step in
  `backup_id`: what changed in that input since the backup before (both the version that ends and the one that
  begins). No rows for a complete first step (nothing to compare it with).
-#}
{% macro changed_rows(plan, relation) -%}
    {%- set compared = plan.steps[1:] if plan.complete else plan.steps -%}
    (
        select {{ star_except('versions', version_columns()) }}, steps.backup_id
        from {{ versions_relation(relation) }} as versions
        inner join ({{ backup_values(compared) }}) as steps
            on versions.valid_from_backup = steps.backup_id or versions.valid_to_backup = steps.backup_id
    )
{%- endmacro %}


{#-
  (backup_id, <as_key>) of the entities whose `relation` versions begin or end at each compared step: `key_exprs`
  (one expression or a list) read from those versions, e.g. `person_id`, or `email_domain` to reach the companies
  of changed people.
-#}
{% macro changed_keys(plan, relation, key_exprs, as_key) -%}
    {%- set key_exprs = [key_exprs] if key_exprs is string else key_exprs -%}
    {%- for key_expr in key_exprs %}
    {{ 'union' if not loop.first }}
    select distinct backup_id, {{ key_expr }} as {{ as_key }}
    from {{ changed_rows(plan, relation) }} as changed
    where {{ key_expr }} is not null
    {%- endfor %}
{%- endmacro %}


{#- (backup_id, <as_key>) of every entity of `relation` at the plan's first step when it is complete (else none). -#}
{% macro complete_keys(plan, relation, key_expr, as_key) -%}
    {%- set complete = plan.complete and plan.steps -%}
    select distinct backup_id, {{ key_expr }} as {{ as_key }}
    from {{ as_of(relation, plan.steps[:1] if complete else ['']) }} as entities
    where {{ key_expr }} is not null{{ '' if complete else ' and 1 = 0' }}
{%- endmacro %}


{#-
  A row hash of a lake row: the sum of a hash per non-null column (its name and value), so that a column absent
  from one backup's files (read as null) does not change the hash of the others' rows. `_id` and `_backup_id` are
  left out. No hash (a constant) with `hashed=false`: such rows are facts, compared by id only.
-#}
{% macro lake_row_hash(cols, alias, hashed=true) -%}
    {%- set names = [] -%}
    {%- for name in cols if name not in ('_id', '_backup_id', 'backup_id') -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {%- if not hashed or not names -%}
        cast(0 as {{ dbt.type_bigint() }})
    {%- else -%}
        {{ adapter.dispatch('column_hash_sum', 'apollo')(names, alias) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__column_hash_sum(names, alias) -%}
    hash(
        {%- for name in names %}
        cast(case when {{ alias }}.{{ lake_ident(name) }} is null then 0
            else hash('{{ name }}', {{ alias }}.{{ lake_ident(name) }}) end as hugeint){{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro snowflake__column_hash_sum(names, alias) -%}
    {%- if is_fakesnow() -%}
        {#- fakesnow's HASH is DuckDB's (unsigned 64-bit), wider than its NUMBER(38, 0) (a BIGINT) -#}
        {{ return(default__column_hash_sum(names, alias)) }}
    {%- endif -%}
    hash(
        {%- for name in names %}
        cast(case when {{ alias }}.{{ lake_ident(name) }} is null then 0
            else hash('{{ name }}', {{ alias }}.{{ lake_ident(name) }}) end as number(38, 0)){{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#- A lake column name as SQL: plain lowercase names bare (Snowflake folds them), others quoted. -#}
{% macro lake_ident(name) -%}
    {{ name if modules.re.match('^[a-z_][a-z0-9_]*$', name) else adapter.quote(name) }}
{%- endmacro %}


{#-
  Candidates of a staging model: (backup_id, <key>) of the lake documents that differ between each step and the
  backup before it: a row whose (id, row hash) the backup before does not have (new or changed), or the reverse
  (changed or removed). The backup before is read from the lake when this build computes it too, else from the
  versions valid at the plan's base (their `_source_hash`). Every document is a candidate of a complete first
  step. With `hashed=false` documents are compared by id only: a fact is written once, when it is first seen.
-#}
{% macro lake_candidates(plan, src, cols, key, hashed=true) -%}
    {%- set stored = this.incorporate(path={'identifier': this.identifier ~ '__versions'}, type='table') -%}
    select backup_id, {{ key }} from (
        with lake_state as (
            select
                cast(lake_row._backup_id as {{ dbt.type_string() }}) as backup_id,
                cast(lake_row._id as {{ dbt.type_string() }}) as {{ key }},
                {{ lake_row_hash(cols, 'lake_row', hashed) }} as _source_hash
            from {{ src }} as lake_row
            where {{ in_backups('lake_row._backup_id', plan.steps) }}
        ),

        previous_state as (
            {%- for step in plan.steps %}
            {%- set before = plan.previous[step] %}
            {%- if before is none %}
            select backup_id, {{ key }}, _source_hash from lake_state where 1 = 0
            {%- elif before in plan.steps %}
            select {{ backup_literal(step) }} as backup_id, {{ key }}, _source_hash
            from lake_state
            where backup_id = {{ backup_literal(before) }}
            {%- else %}
            select {{ backup_literal(step) }} as backup_id, {{ key }},
                {{ '_source_hash' if hashed else lake_row_hash(cols, 'stored', false) }} as _source_hash
            from {{ stored }} as stored
            where {{ valid_at(before, 'stored') }}
            {%- endif %}
            {{ 'union all' if not loop.last }}
            {%- endfor %}
            {%- if not plan.steps %}
            select backup_id, {{ key }}, _source_hash from lake_state where 1 = 0
            {%- endif %}
        )

        select coalesce(now_state.backup_id, before_state.backup_id) as backup_id,
            coalesce(now_state.{{ key }}, before_state.{{ key }}) as {{ key }}
        from lake_state as now_state
        full outer join previous_state as before_state
            on now_state.backup_id = before_state.backup_id
            and now_state.{{ key }} = before_state.{{ key }}
            and now_state._source_hash = before_state._source_hash
        where now_state.{{ key }} is null or before_state.{{ key }} is null
    ) as changed_documents
{%- endmacro %}


{#- The lake rows of the candidates (`candidates`: backup_id, <key>), with their row hash in `_source_hash`. -#}
{% macro candidate_lake_rows(plan, src, cols, candidates, key, hashed=true) -%}
    select lake_row.*, {{ lake_row_hash(cols, 'lake_row', hashed) }} as _source_hash
    from {{ src }} as lake_row
    inner join (select distinct backup_id, {{ key }} from {{ candidates }}) as candidate
        on cast(lake_row._backup_id as {{ dbt.type_string() }}) = candidate.backup_id
        and cast(lake_row._id as {{ dbt.type_string() }}) = candidate.{{ key }}
    where {{ in_backups('lake_row._backup_id', plan.steps) }}
{%- endmacro %}


{#-
  The final select of a versioned model: for each candidate (`candidates`: backup_id, <key>) its rows of `rows`
  (same key and backup_id), or one row of nulls when it has none (removed), with the step in `_step` and the key
  in `_key`; plus a row per step without a key, so that a backup where nothing changed is recorded as built.
-#}
{% macro version_rows(plan, candidates, rows, key) -%}
    select {{ rows }}.*, version_candidates.backup_id as _step, version_candidates.{{ key }} as _key
    from (
        select distinct backup_id, {{ key }}
        from {{ candidates }}
        where {{ key }} is not null and {{ in_backups('backup_id', plan.steps) }}
        {%- for step in plan.steps %}
        union all
        select {{ backup_literal(step) }}, null
        {%- endfor %}
    ) as version_candidates
    left join {{ rows }}
        on {{ rows }}.backup_id = version_candidates.backup_id
        and {{ rows }}.{{ key }} = version_candidates.{{ key }}
{%- endmacro %}


{#-
  (backup_id, <as_key>) of the entities of `relation` (one row per `key` in a backup) that appeared, disappeared, or
  whose `columns` changed at each compared step: narrower than changed_keys, for inputs of which a model reads
  only these columns (a person reads a company's name, not its head count).
-#}
{% macro changed_values(plan, relation, key, columns, as_key) -%}
    {%- set compared = plan.steps[1:] if plan.complete else plan.steps -%}
    select steps.backup_id, versions.{{ key }} as {{ as_key }}
    from {{ versions_relation(relation) }} as versions
    inner join ({{ backup_values(compared) }}) as steps
        on versions.valid_from_backup = steps.backup_id or versions.valid_to_backup = steps.backup_id
    where versions.{{ key }} is not null
    group by steps.backup_id, versions.{{ key }}
    having count(*) = 1
        {%- for column in columns %}
        or min(versions.{{ column }}) <> max(versions.{{ column }})
        or count(versions.{{ column }}) = 1
        {%- endfor %}
{%- endmacro %}


{#-
  Candidates of a model computed whole at each step (its inputs are small): (backup_id, <key>) of every key it
  has at the step (`rows`) or had in the backup before (a key it no longer has is removed).
-#}
{% macro recomputed_keys(plan, rows, key) -%}
    select backup_id, {{ key }} from {{ rows }}
    {%- for step in plan.steps %}
    {%- set before = plan.previous[step] %}
    {%- if before is not none and before in plan.steps %}
    union all
    select {{ backup_literal(step) }}, {{ key }} from {{ rows }} where backup_id = {{ backup_literal(before) }}
    {%- elif before is not none %}
    union all
    select {{ backup_literal(step) }}, {{ key }} from {{ versions_relation(this) }} where {{ valid_at(before) }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- One row per step of the plan: backup_id, and the backup it is compared with (previous_backup_id, or null). -#}
{% macro step_values(plan) -%}
    {%- for step in plan.steps -%}
    {%- set before = plan.previous[step] -%}
    select
        cast({{ backup_literal(step) }} as {{ dbt.type_string() }}) as backup_id,
        cast({{ backup_literal(before) if before is not none else 'null' }} as {{ dbt.type_string() }})
            as previous_backup_id
    {{ 'union all' if not loop.last }}
    {% endfor -%}
    {%- if not plan.steps -%}
    select cast(null as {{ dbt.type_string() }}) as backup_id, cast(null as {{ dbt.type_string() }}) as previous_backup_id
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
