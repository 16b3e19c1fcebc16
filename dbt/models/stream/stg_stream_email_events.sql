{#-
  One row per step of a sequence e-mail from the stream per hour (`event_hour`, the hour slice): the message, the
  step (`event_type`) and when it happened. A message produced twice is one event (the first offset wins). The
  recipient's address is not carried, only its domain (masked addresses keep it).
-#}
{%- set src = source('stream', 'email_events') -%}
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
        lower(trim({{ lake_col(cols, 'type', dbt.type_string()) }})) as event_type,
        {{ lake_col(cols, 'message_id', dbt.type_string()) }} as message_id,
        {{ lake_col(cols, 'campaign_id', dbt.type_string()) }} as campaign_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'contact_id', dbt.type_string()) }} as contact_id,
        {{ email_domain(lake_col(cols, 'to_email', dbt.type_string())) }} as to_email_domain,
        {{ lake_timestamp(cols, 'occurred_at') }} as occurred_at,
        {{ lake_col(cols, '_kafka_partition', dbt.type_int()) }} as kafka_partition,
        {{ lake_col(cols, '_kafka_offset', dbt.type_bigint()) }} as kafka_offset
    from source

),

hourly as (

    select typed.*, {{ hour_of('occurred_at') }} as event_hour
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
    occurred_at,
    event_type,
    message_id,
    campaign_id,
    account_id,
    user_id,
    contact_id,
    to_email_domain,
    kafka_partition,
    kafka_offset
from deduplicated
