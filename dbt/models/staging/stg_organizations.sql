{#- One row per organization per backup (the latest updated_at when an id repeats). -#}
{{ config(materialized='backup_versions', version_key='organization_id') }}
{%- set src = source('lake', 'organizations') -%}
{%- set cols = lake_columns(src) -%}
{%- set plan = version_plan(lake=src) -%}

with candidates as (

    {{ lake_candidates(plan, src, cols, 'organization_id') }}

),

source as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'organization_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as organization_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'name', dbt.type_string()) }} as organization_name,
        coalesce(
            {{ normalize_domain(lake_col(cols, 'domain', dbt.type_string())) }},
            {{ normalize_domain(lake_col(cols, 'website_url', dbt.type_string())) }}
        ) as domain,
        {{ lake_col(cols, 'website_url', dbt.type_string()) }} as website_url,
        {{ lake_col(cols, 'industry', dbt.type_string()) }} as industry,
        {{ lake_number(cols, 'estimated_num_employees', dbt.type_bigint()) }} as estimated_num_employees,
        {{ lake_number(cols, 'annual_revenue', dbt.type_numeric()) }} as annual_revenue,
        {{ lake_number(cols, 'founded_year', dbt.type_int()) }} as founded_year,
        {{ lake_col(cols, 'founded_year__bson_type', dbt.type_string()) }} as founded_year_bson_type,
        {{ lake_list_size(cols, 'technologies') }} as technology_count,
        {{ lake_list_size(cols, 'keywords') }} as keyword_count,
        {{ lake_struct_field(cols, 'address', 'city', dbt.type_string()) }} as city,
        {{ lake_struct_field(cols, 'address', 'state', dbt.type_string()) }} as state,
        {{ lake_struct_field(cols, 'address', 'country', dbt.type_string()) }} as country,
        {{ lake_struct_field(cols, 'address', 'postal_code', dbt.type_string()) }} as postal_code,
        {{ lake_col(cols, 'linkedin_url', dbt.type_string()) }} is not null as has_linkedin_url,
        {{ lake_col(cols, 'phone', dbt.type_string()) }} is not null as has_phone,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        _source_hash
    from source

),

deduplicated as (

    {{ keep_first('typed', 'backup_id, organization_id', 'updated_at desc nulls last, created_at desc nulls last') }}

)

{{ version_rows(plan, 'candidates', 'deduplicated', 'organization_id') }}
