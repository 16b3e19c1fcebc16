{#-
  The held-out signal of the similar-companies model: which companies each customer account saved people from
  (its CRM contacts linked to a person whose employer is resolved). Two companies saved by the same accounts are
  related in a way the content model never sees; it is only used to evaluate recommendations, never as a feature.
  Computed whole for each backup (contacts are few); only the accounts whose rows changed get a new version.
-#}
{{ config(materialized='backup_versions', version_key='account_id') }}
{%- set stg_contacts = ref('stg_contacts') -%}
{%- set gold_people = ref('people') -%}
{%- set plan = version_plan(upstreams=[stg_contacts, gold_people]) -%}

with contacts as (

    select backup_id, account_id, person_id
    from {{ as_of(stg_contacts, plan) }} as contacts
    where account_id is not null
        and person_id is not null

),

people as (

    {#- the saved people only (people is large, contacts are few) #}
    select people.backup_id, people.person_id, people.company_id
    from {{ as_of(gold_people, plan) }} as people
    inner join (select distinct backup_id, person_id from contacts) as saved
        on people.backup_id = saved.backup_id
        and people.person_id = saved.person_id
    where people.company_id is not null

),

saves as (

    select
        contacts.backup_id,
        contacts.account_id,
        people.company_id,
        count(distinct contacts.person_id) as saved_people
    from contacts
    inner join people
        on contacts.backup_id = people.backup_id
        and contacts.person_id = people.person_id
    group by contacts.backup_id, contacts.account_id, people.company_id

),

candidates as (

    {{ recomputed_keys(plan, 'saves', 'account_id') }}

)

{{ version_rows(plan, 'candidates', 'saves', 'account_id') }}
