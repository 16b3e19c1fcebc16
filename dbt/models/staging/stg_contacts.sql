{#- One row per contact per backup (the latest updated_at when an id repeats). -#}
{{ config(materialized='backup_versions', version_key='contact_id') }}
{%- set src = source('lake', 'contacts') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'contact_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'contact_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as contact_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'owner_user_id', dbt.type_string()) }} as owner_user_id,
        {{ lake_col(cols, 'person_id', dbt.type_string()) }} as person_id,
        {{ email_domain(lake_col(cols, 'email', dbt.type_string())) }} as email_domain,
        {{ lake_col(cols, 'email', dbt.type_string()) }} is not null as has_email,
        {{ lake_col(cols, 'phone', dbt.type_string()) }} is not null as has_phone,
        {{ snake_label(lake_col(cols, 'stage', dbt.type_string())) }} as stage,
        {{ json_object_key_count(lake_col(cols, 'custom_fields', dbt.type_string())) }} as custom_field_count,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, contact_id', 'updated_at desc nulls last, created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'contact_id') }}
