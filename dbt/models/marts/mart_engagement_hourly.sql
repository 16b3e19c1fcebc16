{{ config(materialized='hour_slices', tags=['stream']) }}
{#-
  Engagement by account and hour, where the backups and the stream meet: product usage (events, active users,
  engagement-feature events) and the sequence e-mail funnel (messages sent, delivered, opened, clicked, replied,
  bounced in the hour). Near real time: an hour is built from the stream as soon as it is complete, and from every
  backup that holds events of that hour.

  No double counting. An event seen both in a backup and in the stream is one event, reconciled by its id: a usage
  event by its `_id` (the stream carries the document's id), an e-mail step by (message, step) (a backup's
  `emailer_messages` document holds one time per step, the stream one event per step). Of its versions, the
  newest backup's wins (the system of record), else the stream's first; the event then counts in the hour of that
  version's time. `events_in_backup`, `events_in_stream` and `events_in_both` say where the hour's events were
  seen. The e-mail funnel counts steps in the hour they happened (an open is counted in its own hour, not in
  the send's), so that a later event never changes a built hour.

  The backups' side reads the batch staging's stored versions (`<model>__versions`, macros/versions.sql), not its
  per-backup views: a version is an event (or message) as a run of backups held it, from `valid_from_backup` on,
  so each is read once rather than once per backup that holds it, and the newest version is the newest backup's.
  Usage events are facts (one version each); a message gains a version when a backup sees a step it lacked.
-#}
{%- set email_steps = ['sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced'] -%}
{#- A warehouse fed by the stream only (no backup built yet) has no batch staging: its side then has no rows. -#}
{%- set batch_events = versions_relation(ref('stg_usage_events')) -%}
{%- set batch_messages = versions_relation(ref('stg_emailer_messages')) -%}
{%- set with_backups = relation_exists(batch_events) and relation_exists(batch_messages) -%}

with batch_usage as (

    select
        'usage' as kind,
        {% if with_backups -%}
        event_id as event_key,
        account_id,
        user_id,
        use_case,
        cast(null as {{ dbt.type_string() }}) as step,
        event_at,
        0 as source_rank,
        valid_from_backup as backup_id
    from {{ batch_events }}
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as event_key,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        cast(null as {{ dbt.type_string() }}) as use_case,
        cast(null as {{ dbt.type_string() }}) as step,
        cast(null as {{ dbt.type_timestamp() }}) as event_at,
        0 as source_rank,
        cast(null as {{ dbt.type_string() }}) as backup_id
    where 1 = 0
        {%- endif %}

),

stream_usage as (

    select
        'usage' as kind,
        event_id as event_key,
        account_id,
        user_id,
        use_case,
        cast(null as {{ dbt.type_string() }}) as step,
        event_at,
        1 as source_rank,
        cast(null as {{ dbt.type_string() }}) as backup_id
    from {{ ref('stg_stream_usage_events') }}

),

batch_email as (

    {% if with_backups -%}
    {% for step, column in [('sent', 'sent_at'), ('opened', 'opened_at'), ('replied', 'replied_at'), ('bounced', 'bounced_at')] -%}
    select
        'email' as kind,
        message_id || ':{{ step }}' as event_key,
        account_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as use_case,
        '{{ step }}' as step,
        {{ column }} as event_at,
        0 as source_rank,
        valid_from_backup as backup_id
    from {{ batch_messages }}
    where {{ column }} is not null
    {{ 'union all' if not loop.last }}
    {% endfor %}
    {%- else -%}
    select * from batch_usage
    {%- endif %}

),

stream_email as (

    select
        'email' as kind,
        message_id || ':' || event_type as event_key,
        account_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as use_case,
        event_type as step,
        occurred_at as event_at,
        1 as source_rank,
        cast(null as {{ dbt.type_string() }}) as backup_id
    from {{ ref('stg_stream_email_events') }}

),

versions as (

    select * from batch_usage
    union all
    select * from stream_usage
    union all
    select * from batch_email
    union all
    select * from stream_email

),

{#- The events with a version in the requested hours: only their versions are reconciled. -#}
candidates as (

    select distinct kind, event_key from versions
    where {{ hour_filter(hour_of('event_at')) }}

),

candidate_versions as (

    select versions.*
    from versions
    inner join candidates
        on versions.kind = candidates.kind
        and versions.event_key = candidates.event_key

),

seen as (

    select
        kind,
        event_key,
        max(case when source_rank = 0 then 1 else 0 end) as in_backup,
        max(case when source_rank = 1 then 1 else 0 end) as in_stream
    from candidate_versions
    group by kind, event_key

),

preferred as (

    {{ keep_first('candidate_versions', 'kind, event_key', 'source_rank, backup_id desc nulls last, event_at') }}

),

events as (

    select
        preferred.*,
        {{ hour_of('preferred.event_at') }} as event_hour,
        seen.in_backup,
        seen.in_stream
    from preferred
    inner join seen
        on preferred.kind = seen.kind
        and preferred.event_key = seen.event_key

)

select
    account_id,
    event_hour,
    count(case when kind = 'usage' then 1 end) as usage_events,
    count(distinct case when kind = 'usage' then user_id end) as active_users,
    count(case when kind = 'usage' and use_case = 'engagement' then 1 end) as engagement_feature_events,
    {% for step in email_steps -%}
    count(case when kind = 'email' and step = '{{ step }}' then 1 end) as messages_{{ step }},
    {% endfor -%}
    sum(in_backup) as events_in_backup,
    sum(in_stream) as events_in_stream,
    sum(in_backup * in_stream) as events_in_both
from events
where {{ hour_filter('event_hour') }}
group by account_id, event_hour
