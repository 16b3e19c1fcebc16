{#-
  Content profile of each company for the similar-companies model: one row per company per backup, for the
  companies an organization describes (companies only known from email domains have no content to compare).
  Keywords and technologies come from the company's primary organization (the version staging keeps: latest
  updated_at), lowercased, deduplicated and joined with '|' in a stable order, so that a vectorizer can split
  them without a custom tokenizer. Names and domains are carried for display only, never as features. A backup
  computes again the companies that changed and those whose primary organization's lake row did.
-#}
{{ config(materialized='backup_versions', version_key='company_id') }}
{%- set src = source('lake', 'organizations') -%}
{%- set cols = lake_columns(src) -%}
{%- set list_fields = ['keywords', 'technologies'] -%}
{%- set gold_companies = ref('companies') -%}
{%- set stg_organizations = ref('stg_organizations') -%}
{%- set plan = version_plan(upstreams=[gold_companies, stg_organizations]) -%}

with companies_as_of as (

    select * from {{ as_of(gold_companies, plan) }} as companies

),

candidates as (

    {#- the companies that changed, and those whose primary organization did (its lake row: keywords, technologies) #}
    {{ changed_keys(plan, gold_companies, 'company_id', 'company_id') }}
    union
    {{ complete_keys(plan, gold_companies, 'company_id', 'company_id') }}
    union
    select companies_as_of.backup_id, companies_as_of.company_id
    from companies_as_of
    inner join ({{ changed_keys(plan, stg_organizations, 'organization_id', 'organization_id') }}) as changed_organizations
        on companies_as_of.backup_id = changed_organizations.backup_id
        and companies_as_of.primary_organization_id = changed_organizations.organization_id

),

companies as (

    select
        companies_as_of.backup_id,
        companies_as_of.company_id,
        company_name,
        domain,
        industry,
        size_bucket,
        revenue_bucket,
        country,
        primary_organization_id
    from companies_as_of
    inner join candidates
        on companies_as_of.backup_id = candidates.backup_id
        and companies_as_of.company_id = candidates.company_id
    where company_source = 'organization'

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
    from {{ src }} as lake_row
    where {{ in_backups('_backup_id', plan.steps) }}
        and cast(_id as {{ dbt.type_string() }}) in (select primary_organization_id from companies)

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
    {#- a field absent from every document of the backup: no terms #}
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

),

profiles as (

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

)

{{ version_rows(plan, 'candidates', 'profiles', 'company_id') }}
