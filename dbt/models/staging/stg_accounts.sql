{#- One row per customer account per backup. -#}
{{ config(materialized='backup_versions', version_key='account_id') }}
{%- set src = source('lake', 'accounts') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'account_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'account_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as account_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'name', dbt.type_string()) }} as account_name,
        {{ normalize_domain(lake_col(cols, 'domain', dbt.type_string())) }} as domain,
        lower(trim({{ lake_col(cols, 'plan', dbt.type_string()) }})) as plan,
        {{ lake_number(cols, 'seats', dbt.type_int()) }} as seats,
        {{ email_domain(lake_col(cols, 'billing_email', dbt.type_string())) }} as billing_email_domain,
        lower(trim({{ lake_col(cols, 'status', dbt.type_string()) }})) as status,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, account_id', 'created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'account_id') }}
