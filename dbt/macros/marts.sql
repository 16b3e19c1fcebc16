{#-
  Shared SQL of the product-metric marts, written once for the use-case level (L1) and the feature level (L2):
  `level` is 'use_case' or 'feature'. The dimension rows come from the seed feature_taxonomy, so that a use case
  or feature nobody used still gets its row (with zero counts).

  Time: every timestamp is naive UTC; weeks are ISO weeks (starting Monday). A backup's `as_of` is the latest
  time observed in it (events, account and user signups): only complete windows are reported (an account is
  counted as new once its N-day activation window has ended; a retention week once it has ended).
-#}

{% macro mart_dimensions(level) -%}
    {%- if level == 'use_case' -%}
        select distinct use_case from {{ ref('feature_taxonomy') }}
    {%- elif level == 'feature' -%}
        select use_case, feature from {{ ref('feature_taxonomy') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("level must be 'use_case' or 'feature', not " ~ level) }}
    {%- endif -%}
{%- endmacro %}


{#- CTEs `accounts`, `users`, `events`, `as_of` (per backup) restricted to the requested backups. -#}
{% macro mart_inputs() -%}
accounts as (

    select backup_id, account_id, created_at
    from {{ ref('stg_accounts') }}
    where {{ backup_filter('backup_id') }}
        and created_at is not null

),

users as (

    select backup_id, user_id, account_id, created_at
    from {{ ref('stg_users') }}
    where {{ backup_filter('backup_id') }}
        and created_at is not null

),

events as (

    -- The taxonomy's use case for a known feature, else the one the event names.
    select
        usage_event.backup_id,
        usage_event.account_id,
        usage_event.user_id,
        coalesce(taxonomy.use_case, usage_event.use_case) as use_case,
        usage_event.feature,
        usage_event.event_at
    from {{ ref('stg_usage_events') }} as usage_event
    left join {{ ref('feature_taxonomy') }} as taxonomy
        on usage_event.feature = taxonomy.feature
    where {{ backup_filter('usage_event.backup_id') }}
        and usage_event.event_at is not null

),

as_of as (

    select backup_id, max(observed_at) as as_of
    from (
        select backup_id, event_at as observed_at from events
        union all
        select backup_id, created_at from accounts
        union all
        select backup_id, created_at from users
    ) as observed
    group by backup_id

)
{%- endmacro %}


{#- Activation: share of new accounts / users that use the use case (feature) within N days of their signup. -#}
{% macro activation_mart(level) -%}
{%- set window_days = var('activation_window_days', 14) | int -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}

with {{ mart_inputs() }},

dimensions as (

    {{ mart_dimensions(level) }}

),

new_entities as (

    {%- for entity in ['account', 'user'] %}
    select
        '{{ entity }}' as entity_type,
        {{ entity }}s.backup_id,
        {{ entity }}s.{{ entity }}_id as entity_id,
        {{ entity }}s.created_at,
        {{ week_start(entity ~ 's.created_at') }} as cohort_week
    from {{ entity }}s
    inner join as_of
        on {{ entity }}s.backup_id = as_of.backup_id
    where {{ dbt.dateadd('day', window_days, entity ~ 's.created_at') }} <= as_of.as_of
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

first_uses as (

    {%- for entity in ['account', 'user'] %}
    select
        new_entities.entity_type,
        new_entities.backup_id,
        new_entities.entity_id,
        new_entities.cohort_week,
        events.{{ level }},
        min({{ dbt.datediff('new_entities.created_at', 'events.event_at', 'second') }}) / 86400.0
            as days_to_first_use
    from new_entities
    inner join events
        on new_entities.backup_id = events.backup_id
        and new_entities.entity_id = events.{{ entity }}_id
    where new_entities.entity_type = '{{ entity }}'
        and events.event_at >= new_entities.created_at
        and events.event_at < {{ dbt.dateadd('day', window_days, 'new_entities.created_at') }}
    group by 1, 2, 3, 4, 5
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

cohorts as (

    select
        backup_id,
        cohort_week,
        sum(case when entity_type = 'account' then 1 else 0 end) as new_accounts,
        sum(case when entity_type = 'user' then 1 else 0 end) as new_users
    from new_entities
    group by backup_id, cohort_week

),

activated as (

    select
        backup_id,
        cohort_week,
        {{ level }},
        sum(case when entity_type = 'account' then 1 else 0 end) as activated_accounts,
        sum(case when entity_type = 'user' then 1 else 0 end) as activated_users,
        -- rounded: a parallel float sum is not associative, and a rebuilt slice must equal the one it replaces
        round(avg(case when entity_type = 'account' then days_to_first_use end), 6) as avg_days_to_first_use_accounts
    from first_uses
    group by backup_id, cohort_week, {{ level }}

)

select
    cohorts.backup_id,
    cohorts.cohort_week,
    {{ dimension_columns | replace('use_case', 'dimensions.use_case') | replace('feature', 'dimensions.feature') }},
    dimensions.use_case = 'engagement' as is_key_action,
    {{ window_days }} as activation_window_days,
    cohorts.new_accounts,
    coalesce(activated.activated_accounts, 0) as activated_accounts,
    {{ safe_ratio('coalesce(activated.activated_accounts, 0)', 'cohorts.new_accounts') }} as account_activation_rate,
    cohorts.new_users,
    coalesce(activated.activated_users, 0) as activated_users,
    {{ safe_ratio('coalesce(activated.activated_users, 0)', 'cohorts.new_users') }} as user_activation_rate,
    activated.avg_days_to_first_use_accounts
from cohorts
cross join dimensions
left join activated
    on cohorts.backup_id = activated.backup_id
    and cohorts.cohort_week = activated.cohort_week
    and dimensions.{{ level }} = activated.{{ level }}
{%- endmacro %}


{#-
  Weekly cohort retention: users by signup week × weeks since signup (calendar weeks, week 0 = the signup week):
  share of the cohort's users with an event of the use case (feature) in that week. At the use-case level a row
  with use_case 'any' counts any event. Only weeks that have ended by the backup's as_of are reported.
-#}
{% macro retention_mart(level) -%}
{%- set max_weeks = var('retention_weeks', 12) | int -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}

with {{ mart_inputs() }},

dimensions as (

    {{ mart_dimensions(level) }}
    {%- if level == 'use_case' %}
    union all
    select 'any' as use_case
    {%- endif %}

),

weeks as (

    select cast(generated_number - 1 as {{ dbt.type_int() }}) as weeks_since_signup
    from ({{ dbt.generate_series(max_weeks + 1) }}) as series

),

cohort_users as (

    select backup_id, user_id, {{ week_start('created_at') }} as cohort_week
    from users

),

cohorts as (

    select backup_id, cohort_week, count(*) as cohort_users
    from cohort_users
    group by backup_id, cohort_week

),

user_weeks as (

    select distinct
        cohort_users.backup_id,
        cohort_users.cohort_week,
        cohort_users.user_id,
        events.{{ level }},
        cast({{ dbt.datediff('cohort_users.cohort_week', week_start('events.event_at'), 'day') }} / 7
            as {{ dbt.type_int() }}) as weeks_since_signup
    from cohort_users
    inner join events
        on cohort_users.backup_id = events.backup_id
        and cohort_users.user_id = events.user_id
    where events.event_at >= cohort_users.cohort_week

),

active as (

    select backup_id, cohort_week, {{ level }}, weeks_since_signup, count(distinct user_id) as active_users
    from (
        select backup_id, cohort_week, user_id, {{ level }}, weeks_since_signup from user_weeks
        {%- if level == 'use_case' %}
        union all
        select backup_id, cohort_week, user_id, 'any' as use_case, weeks_since_signup from user_weeks
        {%- endif %}
    ) as activity
    group by backup_id, cohort_week, {{ level }}, weeks_since_signup

)

select
    cohorts.backup_id,
    cohorts.cohort_week,
    weeks.weeks_since_signup,
    {{ dimension_columns | replace('use_case', 'dimensions.use_case') | replace('feature', 'dimensions.feature') }},
    cohorts.cohort_users,
    coalesce(active.active_users, 0) as active_users,
    {{ safe_ratio('coalesce(active.active_users, 0)', 'cohorts.cohort_users') }} as retention_rate
from cohorts
inner join as_of
    on cohorts.backup_id = as_of.backup_id
cross join weeks
cross join dimensions
left join active
    on cohorts.backup_id = active.backup_id
    and cohorts.cohort_week = active.cohort_week
    and weeks.weeks_since_signup = active.weeks_since_signup
    and dimensions.{{ level }} = active.{{ level }}
where {{ dbt.dateadd('day', '7 * (weeks.weeks_since_signup + 1)', 'cohorts.cohort_week') }} <= as_of.as_of
{%- endmacro %}


{#-
  Adoption: per ISO week, among the accounts (users) active that week (any usage event), the share that used the
  use case (feature).
-#}
{% macro adoption_mart(level) -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}

with {{ mart_inputs() }},

dimensions as (

    {{ mart_dimensions(level) }}

),

weekly_events as (

    select backup_id, account_id, user_id, {{ level }}, {{ week_start('event_at') }} as activity_week
    from events

),

active as (

    select
        backup_id,
        activity_week,
        count(distinct account_id) as active_accounts,
        count(distinct user_id) as active_users
    from weekly_events
    group by backup_id, activity_week

),

adopting as (

    select
        backup_id,
        activity_week,
        {{ level }},
        count(distinct account_id) as adopting_accounts,
        count(distinct user_id) as adopting_users
    from weekly_events
    group by backup_id, activity_week, {{ level }}

)

select
    active.backup_id,
    active.activity_week,
    {{ dimension_columns | replace('use_case', 'dimensions.use_case') | replace('feature', 'dimensions.feature') }},
    active.active_accounts,
    coalesce(adopting.adopting_accounts, 0) as adopting_accounts,
    {{ safe_ratio('coalesce(adopting.adopting_accounts, 0)', 'active.active_accounts') }} as account_adoption_rate,
    active.active_users,
    coalesce(adopting.adopting_users, 0) as adopting_users,
    {{ safe_ratio('coalesce(adopting.adopting_users, 0)', 'active.active_users') }} as user_adoption_rate,
    {{ dbt.dateadd('day', 7, 'active.activity_week') }} <= as_of.as_of as is_complete_week
from active
inner join as_of
    on active.backup_id = as_of.backup_id
cross join dimensions
left join adopting
    on active.backup_id = adopting.backup_id
    and active.activity_week = adopting.activity_week
    and dimensions.{{ level }} = adopting.{{ level }}
{%- endmacro %}
