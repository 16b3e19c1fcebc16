{#-
  The company dimension, one row per distinct company domain per backup. A domain is a company when an
  organization has it (domain, else its website's host) or when people have work emails at it (consumer mailbox
  domains excluded, seed free_email_domains). Organizations enrich it: when several share a domain, the most
  recently updated one describes the company. company_id is derived from the domain alone, so it is stable
  across backups. A backup computes again the domains of the organizations and people that changed since the
  backup before (their old and their new domains).
-#}
{{ config(materialized='backup_versions', version_key='domain') }}
{%- set stg_organizations = ref('stg_organizations') -%}
{%- set stg_people = ref('stg_people') -%}
{%- set plan = version_plan(upstreams=[stg_organizations, stg_people]) -%}

with candidates as (

    {#- the domains of organizations and people that changed (before and after the change), or every domain #}
    {{ changed_keys(plan, stg_organizations, 'domain', 'domain') }}
    union
    {{ changed_keys(plan, stg_people, 'email_domain', 'domain') }}
    union
    {{ complete_keys(plan, stg_organizations, 'domain', 'domain') }}
    union
    {{ complete_keys(plan, stg_people, 'email_domain', 'domain') }}

),

organizations as (

    select organizations.*
    from {{ as_of(stg_organizations, plan) }} as organizations
    inner join candidates
        on organizations.backup_id = candidates.backup_id
        and organizations.domain = candidates.domain

),

people as (

    select people.*
    from {{ as_of(stg_people, plan) }} as people
    inner join candidates
        on people.backup_id = candidates.backup_id
        and people.email_domain = candidates.domain

),

free_email_domains as (

    select domain from {{ ref('free_email_domains') }}

),

primary_organization as (

    {{ keep_first('organizations', 'backup_id, domain', 'updated_at desc nulls last, organization_id') }}

),

organization_counts as (

    select backup_id, domain, count(*) as organization_count
    from organizations
    group by backup_id, domain

),

work_email_domains as (

    select people.backup_id, people.email_domain as domain, count(*) as people_with_email_domain
    from people
    left join free_email_domains
        on people.email_domain = free_email_domains.domain
    where free_email_domains.domain is null
    group by people.backup_id, people.email_domain

),

domains as (

    select backup_id, domain from organization_counts
    union
    select backup_id, domain from work_email_domains

),

company_rows as (

    select
        {{ dbt.hash('domains.domain') }} as company_id,
        domains.backup_id,
        domains.domain,
        case when primary_organization.organization_id is not null then 'organization' else 'email_domain' end
            as company_source,
        primary_organization.organization_id as primary_organization_id,
        coalesce(organization_counts.organization_count, 0) as organization_count,
        coalesce(primary_organization.organization_name, domains.domain) as company_name,
        primary_organization.industry,
        primary_organization.estimated_num_employees as num_employees,
        {{ employee_size_bucket('primary_organization.estimated_num_employees') }} as size_bucket,
        primary_organization.annual_revenue,
        {{ revenue_bucket('primary_organization.annual_revenue') }} as revenue_bucket,
        primary_organization.founded_year,
        primary_organization.technology_count,
        primary_organization.keyword_count,
        primary_organization.city,
        primary_organization.state,
        primary_organization.country,
        coalesce(work_email_domains.people_with_email_domain, 0) as people_with_email_domain
    from domains
    left join primary_organization
        on domains.backup_id = primary_organization.backup_id
        and domains.domain = primary_organization.domain
    left join organization_counts
        on domains.backup_id = organization_counts.backup_id
        and domains.domain = organization_counts.domain
    left join work_email_domains
        on domains.backup_id = work_email_domains.backup_id
        and domains.domain = work_email_domains.domain

)

{{ version_rows(plan, 'candidates', 'company_rows', 'domain') }}
