{#- One row per product user per backup. -#}
{{ config(materialized='backup_versions', version_key='user_id') }}
{%- set src = source('lake', 'users') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'user_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'user_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as user_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        lower(trim({{ lake_col(cols, 'role', dbt.type_string()) }})) as role,
        {{ email_domain(lake_col(cols, 'email', dbt.type_string())) }} as email_domain,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'last_active_at') }} as last_active_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, user_id', 'last_active_at desc nulls last, created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'user_id') }}
