{#-
  Shared SQL of the product-metric marts, written once for the use-case level (L1) and the feature level (L2):
  `level` is 'use_case' or 'feature'. The dimension rows come from the seed feature_taxonomy, so that a use case
  or feature nobody used still gets its row (with zero counts).

  Time: every timestamp is naive UTC; weeks are ISO weeks (starting Monday). A backup's `as_of` is the latest
  time observed in it (events, account and user signups): only complete windows are reported (an account is
  counted as new once its N-day activation window has ended; a retention week once it has ended).

  Versioned by week: a backup computes again only the weeks (adoption) or signup cohorts (activation, retention)
  that what changed since the backup before can touch: the weeks of events that appeared or left, the cohorts of
  accounts and users that changed or whose events did, and those whose reported windows close between the two
  backups' as_of. Every other week keeps its version.
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


{#- The versioned inputs of the product marts, and the plan of the mart being built. -#}
{% macro mart_inputs() -%}
    {%- set inputs = {'accounts': ref('stg_accounts'), 'users': ref('stg_users'), 'events': ref('stg_usage_events')} -%}
    {%- do inputs.update({'plan': version_plan(upstreams=[inputs.accounts, inputs.users, inputs.events])}) -%}
    {{ return(inputs) }}
{%- endmacro %}


{#-
  CTE `clock`: per step, its as_of (the latest time observed in the backup: events, account and user signups) and
  that of the backup it is compared with (previous_as_of, null for a complete first step).
-#}
{% macro mart_clock(inputs) -%}
{%- set plan = inputs.plan -%}
{%- set backups = plan.steps + ([plan.base] if plan.base is not none else []) -%}
observed as (

    select backup_id, max(event_at) as observed_at
    from {{ as_of(inputs.events, backups) }} as usage_event
    group by backup_id
    union all
    select backup_id, max(created_at)
    from {{ as_of(inputs.accounts, backups) }} as account
    group by backup_id
    union all
    select backup_id, max(created_at)
    from {{ as_of(inputs.users, backups) }} as product_user
    group by backup_id

),

backup_as_of as (

    select backup_id, max(observed_at) as as_of
    from observed
    group by backup_id

),

clock as (

    select steps.backup_id, now_clock.as_of, before_clock.as_of as previous_as_of
    from ({{ step_values(plan) }}) as steps
    left join backup_as_of as now_clock
        on now_clock.backup_id = steps.backup_id
    left join backup_as_of as before_clock
        on before_clock.backup_id = steps.previous_backup_id

)
{%- endmacro %}


{#- A condition: `expr` lies in (earlier as_of, later as_of] of the step (`clock`); never on a complete step. -#}
{% macro between_clocks(expr) -%}
    {{ expr }} > least(clock.as_of, clock.previous_as_of) and {{ expr }} <= greatest(clock.as_of, clock.previous_as_of)
{%- endmacro %}


{#- Usage events as of the plan's steps, use case from the taxonomy for a known feature (else the event's own). -#}
{% macro mart_events(inputs) -%}
    select
        usage_event.backup_id,
        usage_event.account_id,
        usage_event.user_id,
        coalesce(taxonomy.use_case, usage_event.use_case) as use_case,
        usage_event.feature,
        usage_event.event_at
    from {{ as_of(inputs.events, inputs.plan) }} as usage_event
    left join {{ ref('feature_taxonomy') }} as taxonomy
        on usage_event.feature = taxonomy.feature
    where usage_event.event_at is not null
{%- endmacro %}


{#- Activation: share of new accounts / users that use the use case (feature) within N days of their signup. -#}
{% macro activation_mart(level) -%}
{%- set window_days = var('activation_window_days', 14) | int -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}
{%- set inputs = mart_inputs() -%}
{%- set plan = inputs.plan -%}
{#- an event at t counts for the entities that signed up in (t - N days, t]: the cohorts of those weeks -#}
{%- set event_cohorts = [] -%}
{%- for days in range(0, window_days, 7) | list + [window_days] -%}
    {%- do event_cohorts.append(week_start(dbt.dateadd('day', -days, 'event_at'))) -%}
{%- endfor %}

with {{ mart_clock(inputs) }},

candidates as (

    {{ changed_keys(plan, inputs.accounts, week_start('created_at'), 'cohort_week') }}
    union
    {{ changed_keys(plan, inputs.users, week_start('created_at'), 'cohort_week') }}
    union
    {{ changed_keys(plan, inputs.events, event_cohorts, 'cohort_week') }}
    union
    {{ complete_keys(plan, inputs.accounts, week_start('created_at'), 'cohort_week') }}
    union
    {{ complete_keys(plan, inputs.users, week_start('created_at'), 'cohort_week') }}
    union
    {#- cohorts whose entities' windows end between the two backups' as_of #}
    select signups.backup_id, {{ week_start('signups.created_at') }}
    from (
        select backup_id, created_at from {{ as_of(inputs.accounts, plan) }} as account
        union all
        select backup_id, created_at from {{ as_of(inputs.users, plan) }} as product_user
    ) as signups
    inner join clock
        on signups.backup_id = clock.backup_id
    where {{ between_clocks(dbt.dateadd('day', window_days, 'signups.created_at')) }}

),

dimensions as (

    {{ mart_dimensions(level) }}

),

new_entities as (

    {%- for entity, relation in [('account', inputs.accounts), ('user', inputs.users)] %}
    select
        '{{ entity }}' as entity_type,
        signups.backup_id,
        signups.{{ entity }}_id as entity_id,
        signups.created_at,
        {{ week_start('signups.created_at') }} as cohort_week
    from {{ as_of(relation, plan) }} as signups
    inner join clock
        on signups.backup_id = clock.backup_id
    inner join candidates
        on signups.backup_id = candidates.backup_id
        and {{ week_start('signups.created_at') }} = candidates.cohort_week
    where signups.created_at is not null
        and {{ dbt.dateadd('day', window_days, 'signups.created_at') }} <= clock.as_of
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

events as (

    {#- the events of the new entities only #}
    select usage_event.*
    from ({{ mart_events(inputs) }}) as usage_event
    where usage_event.account_id in (select entity_id from new_entities where entity_type = 'account')
        or usage_event.user_id in (select entity_id from new_entities where entity_type = 'user')

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

),

mart_rows as (

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

)

{{ version_rows(plan, 'candidates', 'mart_rows', 'cohort_week') }}
{%- endmacro %}


{#-
  Weekly cohort retention: users by signup week × weeks since signup (calendar weeks, week 0 = the signup week):
  share of the cohort's users with an event of the use case (feature) in that week. At the use-case level a row
  with use_case 'any' counts any event. Only weeks that have ended by the backup's as_of are reported.
-#}
{% macro retention_mart(level) -%}
{%- set max_weeks = var('retention_weeks', 12) | int -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}
{%- set inputs = mart_inputs() -%}
{%- set plan = inputs.plan -%}

with {{ mart_clock(inputs) }},

users as (

    select backup_id, user_id, account_id, created_at
    from {{ as_of(inputs.users, plan) }} as product_user
    where created_at is not null

),

candidates as (

    {{ changed_keys(plan, inputs.users, week_start('created_at'), 'cohort_week') }}
    union
    {{ complete_keys(plan, inputs.users, week_start('created_at'), 'cohort_week') }}
    union
    {#- the cohorts of the users whose events changed, within the weeks reported #}
    select users.backup_id, {{ week_start('users.created_at') }}
    from {{ changed_rows(plan, inputs.events) }} as changed
    inner join users
        on changed.backup_id = users.backup_id
        and changed.user_id = users.user_id
    where changed.event_at >= {{ week_start('users.created_at') }}
        and changed.event_at < {{ dbt.dateadd('day', 7 * (max_weeks + 1), week_start('users.created_at')) }}
    union
    {#- the cohorts with a reported week that ends between the two backups' as_of #}
    select users.backup_id, {{ week_start('users.created_at') }}
    from users
    inner join clock
        on users.backup_id = clock.backup_id
    where {{ dbt.dateadd('day', 7, week_start('users.created_at')) }} <= greatest(clock.as_of, clock.previous_as_of)
        and {{ dbt.dateadd('day', 7 * (max_weeks + 1), week_start('users.created_at')) }}
            > least(clock.as_of, clock.previous_as_of)

),

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

    select users.backup_id, users.user_id, {{ week_start('users.created_at') }} as cohort_week
    from users
    inner join candidates
        on users.backup_id = candidates.backup_id
        and {{ week_start('users.created_at') }} = candidates.cohort_week

),

cohorts as (

    select backup_id, cohort_week, count(*) as cohort_users
    from cohort_users
    group by backup_id, cohort_week

),

events as (

    {{ mart_events(inputs) }}

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

),

mart_rows as (

    select
        cohorts.backup_id,
        cohorts.cohort_week,
        weeks.weeks_since_signup,
        {{ dimension_columns | replace('use_case', 'dimensions.use_case') | replace('feature', 'dimensions.feature') }},
        cohorts.cohort_users,
        coalesce(active.active_users, 0) as active_users,
        {{ safe_ratio('coalesce(active.active_users, 0)', 'cohorts.cohort_users') }} as retention_rate
    from cohorts
    inner join clock
        on cohorts.backup_id = clock.backup_id
    cross join weeks
    cross join dimensions
    left join active
        on cohorts.backup_id = active.backup_id
        and cohorts.cohort_week = active.cohort_week
        and weeks.weeks_since_signup = active.weeks_since_signup
        and dimensions.{{ level }} = active.{{ level }}
    where {{ dbt.dateadd('day', '7 * (weeks.weeks_since_signup + 1)', 'cohorts.cohort_week') }} <= clock.as_of

)

{{ version_rows(plan, 'candidates', 'mart_rows', 'cohort_week') }}
{%- endmacro %}


{#-
  Adoption: per ISO week, among the accounts (users) active that week (any usage event), the share that used the
  use case (feature).
-#}
{% macro adoption_mart(level) -%}
{%- set dimension_columns = 'use_case' if level == 'use_case' else 'use_case, feature' -%}
{%- set inputs = mart_inputs() -%}
{%- set plan = inputs.plan -%}

with {{ mart_clock(inputs) }},

candidates as (

    {{ changed_keys(plan, inputs.events, week_start('event_at'), 'activity_week') }}
    union
    {{ complete_keys(plan, inputs.events, week_start('event_at'), 'activity_week') }}
    union
    {#- the weeks that end between the two backups' as_of (is_complete_week changes) #}
    select usage_event.backup_id, {{ week_start('usage_event.event_at') }}
    from {{ as_of(inputs.events, plan) }} as usage_event
    inner join clock
        on usage_event.backup_id = clock.backup_id
    where usage_event.event_at >= {{ dbt.dateadd('day', -7, 'least(clock.as_of, clock.previous_as_of)') }}
        and usage_event.event_at < greatest(clock.as_of, clock.previous_as_of)

),

dimensions as (

    {{ mart_dimensions(level) }}

),

weekly_events as (

    select
        usage_event.backup_id,
        usage_event.account_id,
        usage_event.user_id,
        usage_event.{{ level }},
        {{ week_start('usage_event.event_at') }} as activity_week
    from ({{ mart_events(inputs) }}) as usage_event
    inner join candidates
        on usage_event.backup_id = candidates.backup_id
        and {{ week_start('usage_event.event_at') }} = candidates.activity_week

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

),

mart_rows as (

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
        {{ dbt.dateadd('day', 7, 'active.activity_week') }} <= clock.as_of as is_complete_week
    from active
    inner join clock
        on active.backup_id = clock.backup_id
    cross join dimensions
    left join adopting
        on active.backup_id = adopting.backup_id
        and active.activity_week = adopting.activity_week
        and dimensions.{{ level }} = adopting.{{ level }}

)

{{ version_rows(plan, 'candidates', 'mart_rows', 'activity_week') }}
{%- endmacro %}
