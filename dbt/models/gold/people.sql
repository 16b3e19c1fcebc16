{#-
  People with their current employer resolved to the company dimension, one row per person per backup.
  Employer, in order: the person's organization_id; else the organization of the `current` employment_history
  entry (the latest started); else the company of the person's work email domain
  (company_match_method tells which). A person whose organization id is missing but whose email domain is a
  company's still gets that company.

  A backup computes again the people whose staging row or employment changed since the backup before, and those
  whose employer may have: their organization (own or current job's) changed, or a company they resolve to
  appeared, disappeared or was renamed.
-#}
{{ config(materialized='backup_versions', version_key='person_id') }}
{%- set stg_people = ref('stg_people') -%}
{%- set stg_employment = ref('stg_people_employment') -%}
{%- set stg_organizations = ref('stg_organizations') -%}
{%- set company_dimension = ref('companies') -%}
{%- set plan = version_plan(upstreams=[stg_people, stg_employment, stg_organizations, company_dimension]) -%}

with people_as_of as (

    select * from {{ as_of(stg_people, plan) }} as people_as_of

),

organizations as (

    select * from {{ as_of(stg_organizations, plan) }} as organizations

),

current_jobs_as_of as (

    select * from {{ as_of(stg_employment, plan) }} as jobs
    where is_current

),

companies as (

    select * from {{ as_of(company_dimension, plan) }} as companies

),

company_changes as (

    {{ changed_values(plan, company_dimension, 'domain', ['company_name'], 'domain') }}

),

affected_organizations as (

    {#- organizations that changed, and those whose domain's company did #}
    {{ changed_keys(plan, stg_organizations, 'organization_id', 'organization_id') }}
    union
    select organizations.backup_id, organizations.organization_id
    from organizations
    inner join company_changes
        on organizations.backup_id = company_changes.backup_id
        and organizations.domain = company_changes.domain

),

candidates as (

    {{ changed_keys(plan, stg_people, 'person_id', 'person_id') }}
    union
    {{ changed_keys(plan, stg_employment, 'person_id', 'person_id') }}
    union
    {{ complete_keys(plan, stg_people, 'person_id', 'person_id') }}
    union
    select people_as_of.backup_id, people_as_of.person_id
    from people_as_of
    inner join affected_organizations
        on people_as_of.backup_id = affected_organizations.backup_id
        and people_as_of.organization_id = affected_organizations.organization_id
    union
    select current_jobs_as_of.backup_id, current_jobs_as_of.person_id
    from current_jobs_as_of
    inner join affected_organizations
        on current_jobs_as_of.backup_id = affected_organizations.backup_id
        and current_jobs_as_of.organization_id = affected_organizations.organization_id
    union
    select people_as_of.backup_id, people_as_of.person_id
    from people_as_of
    inner join company_changes
        on people_as_of.backup_id = company_changes.backup_id
        and people_as_of.email_domain = company_changes.domain

),

people as (

    select people_as_of.*
    from people_as_of
    inner join candidates
        on people_as_of.backup_id = candidates.backup_id
        and people_as_of.person_id = candidates.person_id

),

current_jobs as (

    select current_jobs_as_of.*
    from current_jobs_as_of
    inner join candidates
        on current_jobs_as_of.backup_id = candidates.backup_id
        and current_jobs_as_of.person_id = candidates.person_id

),

current_job as (

    {{ keep_first('current_jobs', 'backup_id, person_id',
        'start_date desc nulls last, organization_id nulls last, organization_name nulls last, title nulls last') }}

),

resolved as (

    select
        people.*,
        own_organization.organization_id as own_organization_id,
        own_organization.organization_name as own_organization_name,
        own_organization.domain as own_organization_domain,
        current_job.organization_id as job_organization_id,
        current_job.organization_name as job_organization_name,
        job_organization.domain as job_organization_domain,
        email_company.domain as email_company_domain
    from people
    left join organizations as own_organization
        on people.backup_id = own_organization.backup_id
        and people.organization_id = own_organization.organization_id
    left join current_job
        on people.backup_id = current_job.backup_id
        and people.person_id = current_job.person_id
    left join organizations as job_organization
        on current_job.backup_id = job_organization.backup_id
        and current_job.organization_id = job_organization.organization_id
    left join companies as email_company
        on people.backup_id = email_company.backup_id
        and people.email_domain = email_company.domain

),

matched as (

    select
        resolved.*,
        coalesce(own_organization_domain, job_organization_domain, email_company_domain) as company_domain,
        case
            when own_organization_domain is not null then 'organization_id'
            when job_organization_domain is not null then 'employment_history'
            when email_company_domain is not null then 'email_domain'
        end as company_match_method
    from resolved

),

resolved_people as (

    select
        matched.person_id,
        matched.backup_id,
        companies.company_id,
        matched.company_match_method,
        matched.company_domain,
        coalesce(matched.own_organization_id, matched.organization_id, matched.job_organization_id)
            as current_organization_id,
        coalesce(matched.own_organization_name, matched.job_organization_name, companies.company_name)
            as employer_name,
        matched.title,
        matched.seniority,
        matched.seniority_raw,
        matched.department,
        matched.department_count,
        matched.email_domain,
        matched.has_email,
        matched.has_phone,
        matched.has_linkedin_url,
        matched.has_twitter_url,
        matched.city,
        matched.state,
        matched.country,
        matched.intent_score,
        matched.employment_count,
        matched.created_at,
        matched.updated_at
    from matched
    left join companies
        on matched.backup_id = companies.backup_id
        and matched.company_domain = companies.domain

)

{{ version_rows(plan, 'candidates', 'resolved_people', 'person_id') }}
