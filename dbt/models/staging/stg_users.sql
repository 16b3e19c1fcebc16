{#- One row per product user per backup. -#}
{%- set src = source('lake', 'users') -%}
{%- set cols = lake_columns(src) -%}

with source as (

    select * from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as user_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        lower(trim({{ lake_col(cols, 'role', dbt.type_string()) }})) as role,
        {{ email_domain(lake_col(cols, 'email', dbt.type_string())) }} as email_domain,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'last_active_at') }} as last_active_at
    from source

)

{{ keep_first('typed', 'backup_id, user_id', 'last_active_at desc nulls last, created_at desc nulls last') }}
