{#-
  One row per employment_history entry of a person, per backup (entries have no id of their own). Reads the lake
  directly (the same deduplication as stg_people), so that no nested column is stored in the warehouse. A
  person's entries are versioned together, read again for the people whose stg_people version changed (it carries
  the row hash of the whole lake document, employment_history included).
-#}
{{ config(materialized='backup_versions', version_key='person_id') }}
{%- set src = source('lake', 'people') -%}
{%- set cols = lake_columns(src) -%}
{%- set history_type = cols.get('employment_history') -%}
{%- set has_history = lake_has(cols, 'employment_history') -%}
{%- set stg_people = ref('stg_people') -%}
{%- set plan = version_plan(upstreams=[stg_people]) -%}

with candidates as (

    {{ changed_keys(plan, stg_people, 'person_id', 'person_id') }}
    union
    {{ complete_keys(plan, stg_people, 'person_id', 'person_id') }}

),

lake_rows as (

    {{ candidate_lake_rows(plan, src, cols, 'candidates', 'person_id', hashed=false) }}

),

source as (

    select
        cast(_id as {{ dbt.type_string() }}) as person_id,
        cast(_backup_id as {{ dbt.type_string() }}) as backup_id,
        {{ lake_timestamp(cols, 'created_at') }} as created_at,
        {{ lake_timestamp(cols, 'updated_at') }} as updated_at,
        {{ 'employment_history' if has_history else 'null' }} as employment_history
    from lake_rows

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

),

employment as (

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

)

{{ version_rows(plan, 'candidates', 'employment', 'person_id') }}
