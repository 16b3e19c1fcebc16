{#-
  People with their current employer resolved to the company dimension, one row per person per backup.
  Employer, in order: the person's organization_id; else the organization of the `current` employment_history
  entry (the latest started); else the company of the person's work email domain
  (company_match_method tells which). A person whose organization id is missing but whose email domain is a
  company's still gets that company.
-#}

with people as (

    select * from {{ ref('stg_people') }}
    where {{ backup_filter('backup_id') }}

),

organizations as (

    select * from {{ ref('stg_organizations') }}
    where {{ backup_filter('backup_id') }}

),

current_jobs as (

    select * from {{ ref('stg_people_employment') }}
    where {{ backup_filter('backup_id') }}
        and is_current

),

current_job as (

    {{ keep_first('current_jobs', 'backup_id, person_id',
        'start_date desc nulls last, organization_id nulls last, organization_name nulls last, title nulls last') }}

),

companies as (

    select * from {{ ref('companies') }}
    where {{ backup_filter('backup_id') }}

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

)

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
