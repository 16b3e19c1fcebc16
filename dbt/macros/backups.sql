{#-
  Backup slices. Every model carries `backup_id` (the Dagster partition key, a backup folder name such as
  20261126T040000Z) and is rebuilt one slice at a time:

    dbt build --vars '{backup_ids: ["20261126T040000Z"]}'   -> rebuilds only that backup's rows
    dbt build                                               -> rebuilds every backup present in lake.<collection>

  `backup_ids` may be a list, a single id, or a comma-separated string. An explicit empty list selects nothing.
-#}

{% macro backup_ids() -%}
    {%- set ids = var('backup_ids', none) -%}
    {%- if ids is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if ids is string -%}
        {%- set ids = ids.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- elif ids is number -%}
        {%- set ids = [ids | string] -%}
    {%- endif -%}
    {{ return(ids | map('string') | list) }}
{%- endmacro %}


{#- A boolean SQL condition restricting `column` to the requested backups (true when none are requested). -#}
{% macro backup_filter(column='backup_id') -%}
    {%- set ids = backup_ids() -%}
    {%- if ids is none -%}
        1 = 1
    {%- elif ids | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
            {%- for id in ids -%}
                '{{ id | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
