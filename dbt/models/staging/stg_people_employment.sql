{#- One row per employment_history entry of a person, per backup (entries have no id of their own). -#}
{%- set src = source('lake', 'people') -%}
{%- set cols = lake_columns(src) -%}
{%- set history_type = cols.get('employment_history') -%}

with people as (

    select * from {{ ref('stg_people') }}
    where {{ backup_filter('backup_id') }}

),

entries as (

    select
        people.backup_id,
        people.person_id,
        {%- for field, type in [
            ('organization_id', dbt.type_string()),
            ('organization_name', dbt.type_string()),
            ('title', dbt.type_string()),
            ('current', dbt.type_boolean()),
        ] %}
        {% if struct_lacks_field(history_type, field) -%}
        cast(null as {{ type }})
        {%- else -%}
        {{ unnested_field('job', field, type) }}
        {%- endif %} as {{ 'is_current' if field == 'current' else field }},
        {%- endfor %}
        {%- for field in ['start_date', 'end_date'] %}
        {% if struct_lacks_field(history_type, field) -%}
        cast(null as {{ dbt.type_timestamp() }})
        {%- else -%}
        {{ to_utc_timestamp(unnested_field('job', field)) }}
        {%- endif %} as {{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from people
    {{ unnest_join('people.employment_history', 'job') }}

)

select
    backup_id,
    person_id,
    organization_id,
    organization_name,
    title,
    coalesce(is_current, false) as is_current,
    start_date,
    end_date
from entries
