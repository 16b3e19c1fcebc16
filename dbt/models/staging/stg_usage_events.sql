{#-
  One row per product usage event per backup. The use case comes from the feature taxonomy (seed) when the
  feature is known there, else from the event.
-#}
{%- set src = source('lake', 'usage_events') -%}
{%- set cols = lake_columns(src) -%}

with source as (

    select * from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as event_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ snake_label(lake_col(cols, 'feature', dbt.type_string())) }} as feature,
        {{ snake_label(lake_col(cols, 'use_case', dbt.type_string())) }} as event_use_case,
        {{ lake_timestamp(cols, 'timestamp') }} as event_at,
        {{ lake_struct_field(cols, 'properties', 'source', dbt.type_string()) }} as event_source,
        {{ lake_struct_field(cols, 'properties', 'count', dbt.type_int()) }} as event_count
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, event_id', 'event_at desc nulls last') }}

)

select
    deduplicated.event_id,
    deduplicated.backup_id,
    deduplicated.user_id,
    deduplicated.account_id,
    deduplicated.feature,
    coalesce(taxonomy.use_case, deduplicated.event_use_case) as use_case,
    taxonomy.feature is not null as is_known_feature,
    deduplicated.event_at,
    deduplicated.event_source,
    deduplicated.event_count
from deduplicated
left join {{ ref('feature_taxonomy') }} as taxonomy
    on deduplicated.feature = taxonomy.feature
