{#-
  One row per employment_history entry of a person, per backup (entries have no id of their own). Reads the lake
  directly (the same deduplication as stg_people), so that no nested column is stored in the warehouse.
-#}
{%- set src = source('lake', 'people') -%}
{%- set cols = lake_columns(src) -%}
{%- set history_type = cols.get('employment_history') -%}
{%- set has_history = lake_has(cols, 'employment_history') -%}

with source as (

    select
        cast(_id as {{ dbt.type_string() }}) as person_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        {{ 'employment_history' if has_history else 'null' }} as employment_history
    from {{ src }}
    where {{ backup_filter('_backup_id') }}

),

people as (

    {{ keep_first('source', 'backup_id, person_id', 'updated_at desc nulls last, created_at desc nulls last') }}

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
        {% if not has_history or struct_lacks_field(history_type, field) -%}
        cast(null as {{ type }})
        {%- else -%}
        {{ unnested_field('job', field, type) }}
        {%- endif %} as {{ 'is_current' if field == 'current' else field }},
        {%- endfor %}
        {%- for field in ['start_date', 'end_date'] %}
        {% if not has_history or struct_lacks_field(history_type, field) -%}
        cast(null as {{ dbt.type_timestamp() }})
        {%- else -%}
        {{ to_utc_timestamp(unnested_field('job', field)) }}
        {%- endif %} as {{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
    from people
    {%- if has_history %}
    {{ unnest_join('people.employment_history', 'job') }}
    {%- else %}
    where 1 = 0  {#- no employment_history column in the lake: no entries #}
    {%- endif %}

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
