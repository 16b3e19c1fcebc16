{#- One row per sequence email per backup. Subject and body (free text) are not carried. -#}
{{ config(materialized='backup_versions', version_key='message_id') }}
{%- set src = source('lake', 'emailer_messages') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'message_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'message_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as message_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'campaign_id', dbt.type_string()) }} as campaign_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'contact_id', dbt.type_string()) }} as contact_id,
        {{ lake_col(cols, 'person_id', dbt.type_string()) }} as person_id,
        {{ email_domain(lake_col(cols, 'to_email', dbt.type_string())) }} as to_email_domain,
        lower(trim({{ lake_col(cols, 'status', dbt.type_string()) }})) as status,
        {{ lake_timestamp(cols, 'sent_at') }} as sent_at,
        {{ lake_timestamp(cols, 'opened_at') }} as opened_at,
        {{ lake_timestamp(cols, 'replied_at') }} as replied_at,
        {{ lake_timestamp(cols, 'bounced_at') }} as bounced_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, message_id', 'sent_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'message_id') }}
