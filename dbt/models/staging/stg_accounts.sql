{#- One row per customer account per backup. -#}
{%- set src = source('lake', 'accounts') -%}
{%- set cols = lake_columns(src) -%}

with source as (

    select * from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as account_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'name', dbt.type_string()) }} as account_name,
        {{ normalize_domain(lake_col(cols, 'domain', dbt.type_string())) }} as domain,
        lower(trim({{ lake_col(cols, 'plan', dbt.type_string()) }})) as plan,
        {{ lake_number(cols, 'seats', dbt.type_int()) }} as seats,
        {{ email_domain(lake_col(cols, 'billing_email', dbt.type_string())) }} as billing_email_domain,
        lower(trim({{ lake_col(cols, 'status', dbt.type_string()) }})) as status,
        {{ lake_timestamp(cols, 'created_at') }} as created_at
    from source

)

{{ keep_first('typed', 'backup_id, account_id', 'created_at desc nulls last') }}
