{#-
  Training set of the reply model: one row per sent message, with what was known when it was sent, and the label
  `replied`. Ids and sent_at are kept for joins and the time split, never as features; no pseudonym is carried.
  Recipient: the message's person_id, else its contact's person_id. Person and company attributes are those of
  the backup (the warehouse keeps no history within a backup); message-history features only count messages sent
  strictly before this one. Computed whole for each backup (a message's features depend on all the messages to
  its recipient); only the messages whose row changed get a new version.
-#}
{{ config(materialized='backup_versions', version_key='message_id') }}
{%- set stg_messages = ref('stg_emailer_messages') -%}
{%- set stg_contacts = ref('stg_contacts') -%}
{%- set stg_campaigns = ref('stg_emailer_campaigns') -%}
{%- set gold_people = ref('people') -%}
{%- set gold_companies = ref('companies') -%}
{%- set plan = version_plan(upstreams=[stg_messages, stg_contacts, stg_campaigns, gold_people, gold_companies]) -%}

with messages as (

    select * from {{ as_of(stg_messages, plan) }} as messages
    where sent_at is not null

),

contacts as (

    select backup_id, contact_id, person_id from {{ as_of(stg_contacts, plan) }} as contacts

),

campaigns as (

    select backup_id, campaign_id, step_count from {{ as_of(stg_campaigns, plan) }} as campaigns

),

recipient_ids as (

    select distinct messages.backup_id, coalesce(messages.person_id, contacts.person_id) as person_id
    from messages
    left join contacts
        on messages.backup_id = contacts.backup_id
        and messages.contact_id = contacts.contact_id

),

people as (

    {#- the recipients only (people is large, messages are few) #}
    select people.*
    from {{ as_of(gold_people, plan) }} as people
    inner join recipient_ids
        on people.backup_id = recipient_ids.backup_id
        and people.person_id = recipient_ids.person_id

),

companies as (

    select * from {{ as_of(gold_companies, plan) }} as companies

),

recipients as (

    select
        messages.backup_id,
        messages.message_id,
        messages.campaign_id,
        coalesce(messages.person_id, contacts.person_id) as person_id,
        coalesce(messages.person_id, contacts.person_id, {{ dbt.concat(["'contact:'", 'messages.contact_id']) }}) as recipient_key,
        messages.sent_at,
        messages.replied_at
    from messages
    left join contacts
        on messages.backup_id = contacts.backup_id
        and messages.contact_id = contacts.contact_id

),

history as (

    select
        recipients.*,
        -- messages to the same recipient sent strictly before this one (ties are not "before")
        cast(rank() over (partition by backup_id, recipient_key order by sent_at) - 1 as {{ dbt.type_int() }})
            as previous_messages_to_person
    from recipients

),

previous_replies as (

    select
        current_message.backup_id,
        current_message.message_id,
        count(earlier.message_id) as previous_replies_from_person
    from recipients as current_message
    inner join recipients as earlier
        on current_message.backup_id = earlier.backup_id
        and current_message.recipient_key = earlier.recipient_key
        and earlier.sent_at < current_message.sent_at
        and earlier.replied_at < current_message.sent_at
    group by current_message.backup_id, current_message.message_id

),

mart_rows as (

    select
        history.message_id,
        history.backup_id,
        history.person_id,
        history.sent_at,
        -- person
        coalesce(people.seniority, 'unknown') as person_seniority,
        coalesce(people.department, 'unknown') as person_department,
        people.intent_score as person_intent_score,
        people.employment_count as person_employment_count,
        -- company
        coalesce(companies.size_bucket, 'unknown') as company_size_bucket,
        companies.num_employees as company_num_employees,
        coalesce(companies.industry, 'unknown') as company_industry,
        coalesce(companies.revenue_bucket, 'unknown') as company_revenue_bucket,
        companies.technology_count as company_technology_count,
        -- engagement known at send time
        history.previous_messages_to_person,
        coalesce(previous_replies.previous_replies_from_person, 0) as previous_replies_from_person,
        {{ hour_of_day('history.sent_at') }} as send_hour,
        {{ iso_day_of_week('history.sent_at') }} as send_day_of_week,
        campaigns.step_count as campaign_step_count,
        -- label
        history.replied_at is not null and history.replied_at >= history.sent_at as replied
    from history
    left join previous_replies
        on history.backup_id = previous_replies.backup_id
        and history.message_id = previous_replies.message_id
    left join people
        on history.backup_id = people.backup_id
        and history.person_id = people.person_id
    left join companies
        on people.backup_id = companies.backup_id
        and people.company_id = companies.company_id
    left join campaigns
        on history.backup_id = campaigns.backup_id
        and history.campaign_id = campaigns.campaign_id

),

candidates as (

    {{ recomputed_keys(plan, 'mart_rows', 'message_id') }}

)

{{ version_rows(plan, 'candidates', 'mart_rows', 'message_id') }}
