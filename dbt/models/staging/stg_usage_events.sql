{#-
  One row per product usage event per backup, with the feature and use case labels the event carries. Those
  labels are normalized once per distinct pair (a few dozen), not once per event (millions). The product
  taxonomy (seed feature_taxonomy) is applied by the marts, not here: staging reads its source only, so it
  starts with the build, and a taxonomy change rebuilds the marts, not millions of events.

  Events are facts: an event is written once, when a backup first has it (compared by id only, never rewritten),
  and its version is closed by the first backup that no longer has it (the product's own retention); it stays in
  the warehouse, as history no single backup holds.
-#}
{{ config(materialized='backup_versions', version_key='event_id') }}
{%- set src = source('lake', 'usage_events') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'event_id', hashed=false) }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'event_id', hashed=false) }}

),

labels as (

    select
        feature_raw,
        use_case_raw,
        {{ snake_label('feature_raw') }} as feature_label,
        {{ snake_label('use_case_raw') }} as use_case_label
    from (
        select distinct
            {{ lake_col(cols, 'feature', dbt.type_string()) }} as feature_raw,
            {{ lake_col(cols, 'use_case', dbt.type_string()) }} as use_case_raw
        from source
    ) as raw

),

typed as (

    select
        cast(source._id as {{ dbt.type_string() }}) as event_id,
        cast(source._backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        labels.feature_label as feature,
        labels.use_case_label as use_case,
        {{ lake_timestamp(cols, 'timestamp') }} as event_at,
        {{ lake_struct_field(cols, 'properties', 'source', dbt.type_string()) }} as event_source,
        {{ lake_struct_field(cols, 'properties', 'count', dbt.type_int()) }} as event_count
    from source
    left join labels
        on {{ lake_col(cols, 'feature', dbt.type_string()) }} is not distinct from labels.feature_raw
        and {{ lake_col(cols, 'use_case', dbt.type_string()) }} is not distinct from labels.use_case_raw

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, event_id', 'event_at desc nulls last') }}

),

events as (

    select
        event_id,
        backup_id,
        user_id,
        account_id,
        feature,
        use_case,
        event_at,
        event_source,
        event_count
    from deduplicated

)

{{ version_rows(plan, 'candidates', 'events', 'event_id') }}
