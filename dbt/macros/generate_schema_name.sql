{#-
  Custom schemas are used as they are (staging, gold, marts, seeds) instead of dbt's <target_schema>_<custom>,
  so that every target has the same layout: DuckDB main/staging/gold/marts/seeds, Snowflake
  <SNOWFLAKE_DATABASE>.STAGING/GOLD/MARTS/SEEDS. The raw tables are in schema `lake`, filled by the loader.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
