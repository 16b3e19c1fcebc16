{#- One row per sequence (emailer campaign) per backup. -#}
{%- set src = source('lake', 'emailer_campaigns') -%}
{%- set cols = lake_columns(src) -%}

with source as (

    select * from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

typed as (

    select
        cast(_id as {{ dbt.type_string() }}) as campaign_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_col(cols, 'account_id', dbt.type_string()) }} as account_id,
        {{ lake_col(cols, 'user_id', dbt.type_string()) }} as user_id,
        {{ lake_col(cols, 'name', dbt.type_string()) }} as campaign_name,
        lower(trim({{ lake_col(cols, 'status', dbt.type_string()) }})) as status,
        {{ lake_list_size(cols, 'steps') }} as step_count,
        {{ lake_timestamp(cols, 'created_at') }} as created_at
    from source

)

{{ keep_first('typed', 'backup_id, campaign_id', 'created_at desc nulls last') }}
