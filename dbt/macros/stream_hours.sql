{#-
  Stream hours. The stream models (tag `stream`) carry `event_hour` (the UTC hour of the event, a naive timestamp,
  the Dagster hourly partition) and are rebuilt one hour slice at a time:

    dbt build --select tag:stream --vars '{stream_hours: ["2026-11-27 10:00:00"]}'   -> rebuilds only that hour
    dbt build --select tag:stream                                                    -> rebuilds every hour

  `stream_hours` is a list (or a comma-separated string) of `YYYY-MM-DD HH:00:00`; anything else is refused at
  compile time, since the hours are written into the SQL. An explicit empty list selects nothing.
-#}

{% macro stream_hours() -%}
    {%- set hours = var('stream_hours', none) -%}
    {%- if hours is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if hours is string -%}
        {%- set hours = hours.split(',') | map('trim') | reject('equalto', '') | list -%}
    {%- endif -%}
    {%- for hour in hours -%}
        {%- if modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:00:00', hour | string) is none -%}
            {{ exceptions.raise_compiler_error('stream_hours: not an hour (YYYY-MM-DD HH:00:00): ' ~ ((hour | string)[:40] | tojson)) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(hours | map('string') | list) }}
{%- endmacro %}


{#- A boolean SQL condition restricting `column` (a naive UTC hour) to the requested hours (true when none are). -#}
{% macro hour_filter(column='event_hour') -%}
    {%- set hours = stream_hours() -%}
    {%- if hours is none -%}
        1 = 1
    {%- elif hours | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
            {%- for hour in hours -%}
                cast('{{ hour }}' as {{ dbt.type_timestamp() }}){{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}


{#- The UTC hour of a naive UTC timestamp. -#}
{% macro hour_of(expr) -%}
    {{ dbt.date_trunc('hour', expr) }}
{%- endmacro %}


{#-
  Whether a relation exists (at execution). The stream's raw tables appear with the stream's first events; until
  then (a warehouse fed by backups only) the stream models read no rows instead of failing.
-#}
{% macro relation_exists(relation) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none) }}
{%- endmacro %}
