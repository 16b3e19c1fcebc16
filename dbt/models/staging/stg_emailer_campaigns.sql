{#- One row per sequence (emailer campaign) per backup. -#}
{{ config(materialized='backup_versions', version_key='campaign_id') }}
{%- set src = source('lake', 'emailer_campaigns') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'campaign_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'campaign_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as campaign_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'name', dbt.type_string()) }} as campaign_name,
        lower(trim({{ lake_col(cols, 'status', dbt.type_string()) }})) as status,
        {{ lake_list_size(cols, 'steps') }} as step_count,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, campaign_id', 'created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'campaign_id') }}
