{#-
  One row per person per backup (the latest updated_at when an id repeats): typed, drift fields cast back,
  seniority and department normalized, email domain extracted for company matching. PII columns (names, email,
  phone, URLs) are not carried: only the email's domain and presence flags are.
  employment_history: stg_people_employment has one row per entry (no nested column is stored).
-#}
{{ config(materialized='backup_versions', version_key='person_id') }}
{%- set src = source('lake', 'people') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'person_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'person_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as person_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'organization_id', dbt.type_string()) }} as organization_id,
        {{ lake_col(cols, 'title', dbt.type_string()) }} as title,
        {{ lake_col(cols, 'seniority', dbt.type_string()) }} as seniority_raw,
        {{ normalize_seniority(lake_col(cols, 'seniority', dbt.type_string())) }} as seniority,
        {{ normalize_department(lake_list_first(cols, 'departments')) }} as department,
        {{ lake_list_size(cols, 'departments') }} as department_count,
        {{ email_domain(lake_col(cols, 'email', dbt.type_string())) }} as email_domain,
        {{ lake_col(cols, 'email', dbt.type_string()) }} is not null as has_email,
        {{ lake_col(cols, 'phone', dbt.type_string()) }} is not null as has_phone,
        {{ lake_col(cols, 'linkedin_url', dbt.type_string()) }} is not null as has_linkedin_url,
        {{ lake_col(cols, 'twitter_url', dbt.type_string()) }} is not null as has_twitter_url,
        {{ lake_col(cols, 'city', dbt.type_string()) }} as city,
        {{ lake_col(cols, 'state', dbt.type_string()) }} as state,
        {{ lake_col(cols, 'country', dbt.type_string()) }} as country,
        {{ lake_number(cols, 'intent_score', type_double()) }} as intent_score,
        {{ lake_col(cols, 'intent_score__bson_type', dbt.type_string()) }} as intent_score_bson_type,
        {{ lake_list_size(cols, 'employment_history') }} as employment_count,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, person_id', 'updated_at desc nulls last, created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'person_id') }}
