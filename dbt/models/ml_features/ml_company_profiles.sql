{#-
  Content profile of each company for the similar-companies model: one row per company per backup, for the
  companies an organization describes (companies only known from email domains have no content to compare).
  Keywords and technologies come from the company's primary organization (the version staging keeps: latest
  updated_at), lowercased, deduplicated and joined with '|' in a stable order, so that a vectorizer can split
  them without a custom tokenizer. Names and domains are carried for display only, never as features.
-#}
{%- set src = source('lake', 'organizations') -%}
{%- set cols = lake_columns(src) -%}
{%- set list_fields = ['keywords', 'technologies'] -%}

with companies as (

    select
        backup_id,
        company_id,
        company_name,
        domain,
        industry,
        size_bucket,
        revenue_bucket,
        country,
        primary_organization_id
    from {{ ref('companies') }}
    where {{ backup_filter('backup_id') }}
        and company_source = 'organization'

),

organization_versions as (

    select
        cast(_id as {{ dbt.type_string() }}) as organization_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {%- for field in list_fields if lake_has(cols, field) %}
        {{ field }},
        {%- endfor %}
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        {{ lake_timestamp(cols, 'created_at') }} as created_at
    from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

organizations as (

    {{ keep_first('organization_versions', 'backup_id, organization_id',
        'updated_at desc nulls last, created_at desc nulls last') }}

),

terms as (

    {%- for field in list_fields %}
    {%- if lake_has(cols, field) %}
    select
        organizations.backup_id,
        organizations.organization_id,
        '{{ field }}' as field,
        lower(trim(cast({{ unnested_value('term') }} as {{ dbt.type_string() }}))) as term
    from organizations
    {{ unnest_join('organizations.' ~ field, 'term') }}
    {%- else %}
    {#- a field absent from every document of the backup: no terms -#}
    select backup_id, organization_id, '{{ field }}' as field, cast(null as {{ dbt.type_string() }}) as term
    from organizations
    where 1 = 0
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

distinct_terms as (

    select distinct backup_id, organization_id, field, term
    from terms
    where term is not null
        and term <> ''

),

term_lists as (

    select
        backup_id,
        organization_id,
        field,
        {{ dbt.listagg('term', "'|'", 'order by term') }} as terms,
        count(*) as term_count
    from distinct_terms
    group by backup_id, organization_id, field

)

select
    companies.company_id,
    companies.backup_id,
    companies.company_name,
    companies.domain,
    coalesce(companies.industry, 'unknown') as industry,
    companies.size_bucket,
    companies.revenue_bucket,
    coalesce(companies.country, 'unknown') as country,
    coalesce(keywords.terms, '') as keywords,
    coalesce(keywords.term_count, 0) as keyword_count,
    coalesce(technologies.terms, '') as technologies,
    coalesce(technologies.term_count, 0) as technology_count
from companies
left join term_lists as keywords
    on companies.backup_id = keywords.backup_id
    and companies.primary_organization_id = keywords.organization_id
    and keywords.field = 'keywords'
left join term_lists as technologies
    on companies.backup_id = technologies.backup_id
    and companies.primary_organization_id = technologies.organization_id
    and technologies.field = 'technologies'
