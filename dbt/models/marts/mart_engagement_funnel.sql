{#-
  Sequence funnel sent -> opened -> replied, per send week (ISO) and campaign status. A message counts as sent
  when it has a sent_at; as opened when it has an opened_at or a replied_at (a reply implies the email was read,
  also when the open pixel was blocked), so that the funnel never widens.
-#}

with messages as (

    select * from {{ ref('stg_emailer_messages') }}
    where {{ backup_filter('backup_id') }}
        and sent_at is not null

),

campaigns as (

    select backup_id, campaign_id, status from {{ ref('stg_emailer_campaigns') }}
    where {{ backup_filter('backup_id') }}

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

)

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
