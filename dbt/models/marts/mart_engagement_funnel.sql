{#-
  Sequence funnel sent -> opened -> replied, per send week (ISO) and campaign status. A message counts as sent
  when it has a sent_at; as opened when it has an opened_at or a replied_at (a reply implies the email was read,
  also when the open pixel was blocked), so that the funnel never widens. Versioned by send week: a backup
  computes again the weeks of the messages that changed, and of those whose campaign did.
-#}
{{ config(materialized='backup_versions', version_key='send_week') }}
{%- set stg_messages = ref('stg_emailer_messages') -%}
{%- set stg_campaigns = ref('stg_emailer_campaigns') -%}
{%- set plan = version_plan(upstreams=[stg_messages, stg_campaigns]) -%}

with candidates as (

    {#- the send weeks of the messages that changed, and of those whose campaign did #}
    {{ changed_keys(plan, stg_messages, week_start('sent_at'), 'send_week') }}
    union
    {{ complete_keys(plan, stg_messages, week_start('sent_at'), 'send_week') }}
    union
    select messages.backup_id, {{ week_start('messages.sent_at') }}
    from {{ as_of(stg_messages, plan) }} as messages
    inner join ({{ changed_keys(plan, stg_campaigns, 'campaign_id', 'campaign_id') }}) as changed_campaigns
        on messages.backup_id = changed_campaigns.backup_id
        and messages.campaign_id = changed_campaigns.campaign_id
    where messages.sent_at is not null

),

messages as (

    select messages.*
    from {{ as_of(stg_messages, plan) }} as messages
    inner join candidates
        on messages.backup_id = candidates.backup_id
        and {{ week_start('messages.sent_at') }} = candidates.send_week

),

campaigns as (

    select backup_id, campaign_id, status from {{ as_of(stg_campaigns, plan) }} as campaigns

),

flagged as (

    select
        messages.backup_id,
        {{ week_start('messages.sent_at') }} as send_week,
        coalesce(campaigns.status, 'unknown') as campaign_status,
        messages.campaign_id,
        messages.contact_id,
        case when messages.opened_at is not null or messages.replied_at is not null then 1 else 0 end as is_opened,
        case when messages.replied_at is not null then 1 else 0 end as is_replied,
        case when messages.bounced_at is not null or messages.status = 'bounced' then 1 else 0 end as is_bounced
    from messages
    left join campaigns
        on messages.backup_id = campaigns.backup_id
        and messages.campaign_id = campaigns.campaign_id

),

weekly as (

    select
        backup_id,
        send_week,
        campaign_status,
        count(distinct campaign_id) as campaigns,
        count(distinct contact_id) as contacts_reached,
        count(*) as messages_sent,
        sum(is_bounced) as messages_bounced,
        sum(is_opened) as messages_opened,
        sum(is_replied) as messages_replied
    from flagged
    group by backup_id, send_week, campaign_status

),

mart_rows as (

    select
        backup_id,
        send_week,
        campaign_status,
        campaigns,
        contacts_reached,
        messages_sent,
        messages_bounced,
        messages_opened,
        messages_replied,
        {{ safe_ratio('messages_bounced', 'messages_sent') }} as bounce_rate,
        {{ safe_ratio('messages_opened', 'messages_sent') }} as open_rate,
        {{ safe_ratio('messages_replied', 'messages_sent') }} as reply_rate,
        {{ safe_ratio('messages_replied', 'messages_opened') }} as reply_to_open_rate
    from weekly

)

{{ version_rows(plan, 'candidates', 'mart_rows', 'send_week') }}
