{#-
  The held-out signal of the similar-companies model: which companies each customer account saved people from
  (its CRM contacts linked to a person whose employer is resolved). Two companies saved by the same accounts are
  related in a way the content model never sees; it is only used to evaluate recommendations, never as a feature.
-#}

with contacts as (

    select backup_id, account_id, person_id
    from {{ ref('stg_contacts') }}
    where {{ backup_filter('backup_id') }}
        and account_id is not null
        and person_id is not null

),

people as (

    select backup_id, person_id, company_id
    from {{ ref('people') }}
    where {{ backup_filter('backup_id') }}
        and company_id is not null

)

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
