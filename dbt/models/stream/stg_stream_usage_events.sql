{#-
  One row per usage event of the stream per hour (`event_hour`, the hour slice). A message produced twice (a
  producer's retry) is one event: the first offset wins. Feature and use case are the topic schema's enums, taken
  as they are (the contract has already refused any other value).
-#}
{%- set src = source('stream', 'usage_events') -%}
{%- set present = relation_exists(src) -%}
{%- set cols = lake_columns(src) if present else {} -%}

with source as (

    {% if present -%}
    select * from {{ src }}
    {%- else -%}
    select 1 as no_stream_yet where 1 = 0
    {%- endif %}

),

typed as (

    select
        {{ lake_col(cols, '_id', dbt.type_string()) }} as event_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'feature', dbt.type_string()) }} as feature,
        {{ lake_col(cols, 'use_case', dbt.type_string()) }} as use_case,
        {{ lake_timestamp(cols, 'timestamp') }} as event_at,
        {{ lake_struct_field(cols, 'properties', 'source', dbt.type_string()) }} as event_source,
        {{ lake_struct_field(cols, 'properties', 'count', dbt.type_int()) }} as event_count,
        {{ lake_col(cols, '_kafka_partition', dbt.type_int()) }} as kafka_partition,
        {{ lake_col(cols, '_kafka_offset', dbt.type_bigint()) }} as kafka_offset
    from source

),

hourly as (

    select typed.*, {{ hour_of('event_at') }} as event_hour
    from typed

),

in_hours as (

    select * from hourly
    where {{ hour_filter('event_hour') }}

),

deduplicated as (

    {{ keep_first('in_hours', 'event_hour, event_id', 'kafka_partition, kafka_offset') }}

)

select
    event_id,
    event_hour,
    event_at,
    user_id,
    account_id,
    feature,
    use_case,
    event_source,
    event_count,
    kafka_partition,
    kafka_offset
from deduplicated
