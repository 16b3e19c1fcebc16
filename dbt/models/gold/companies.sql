{#-
  The company dimension, one row per distinct company domain per backup. A domain is a company when an
  organization has it (domain, else its website's host) or when people have work emails at it (consumer mailbox
  domains excluded, seed free_email_domains). Organizations enrich it: when several share a domain, the most
  recently updated one describes the company. company_id is derived from the domain alone, so it is stable
  across backups.
-#}

with organizations as (

    select * from {{ ref('stg_organizations') }}
    where {{ backup_filter('backup_id') }}
        and domain is not null

),

people as (

    select * from {{ ref('stg_people') }}
    where {{ backup_filter('backup_id') }}
        and email_domain is not null

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

)

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
