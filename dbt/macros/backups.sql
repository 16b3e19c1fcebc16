{#-
  Backup slices. Every model carries `backup_id` (the Dagster partition key, a backup folder name such as
  20261126T040000Z) and answers per backup:

    APOLLO_BACKUP_IDS='["20261126T040000Z"]' dbt build       -> builds that backup (what a partition run does)
    dbt build --vars '{backup_ids: ["20261126T040000Z"]}'      -> the same, by hand
    dbt build                                                 -> every backup present in lake.<collection>

  `backup_ids` may be a list, a single id, or a comma-separated string. An explicit empty list selects nothing.
  The environment variable (a JSON list) is read only when dbt executes, never while it parses: dbt parses the
  project again, whole, whenever `--vars` change, which a partition run would pay every time.
-#}

{% macro backup_ids() -%}
    {%- set ids = var('backup_ids', none) -%}
    {%- if ids is none and execute -%}
        {%- set from_env = env_var('APOLLO_BACKUP_IDS', '') | trim -%}
        {%- if from_env -%}
            {%- set ids = fromjson(from_env) -%}
        {%- endif -%}
    {%- endif -%}
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
