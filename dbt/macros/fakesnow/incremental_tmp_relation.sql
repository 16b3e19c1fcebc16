{#-
  fakesnow only (target name `fakesnow`, the Snowflake emulator of the tests; production SQL is untouched).

  Incremental models (delete+insert with a unique key) stage their rows in a temporary table named
  <db>.<schema>.<model>__dbt_tmp. fakesnow runs on DuckDB, whose temporary tables live only in its `temp`
  catalog, so a qualified temporary table fails ("TEMPORARY table names can *only* use the temp catalog").
  On fakesnow the staging table is left unqualified; Snowflake itself resolves an unqualified temporary table
  in the session's schema just the same. Every other target gets dbt-snowflake's default (the relation as is).
  The hook is dbt-snowflake's documented extension point for this relation.
-#}
{% macro snowflake__resolve_incremental_tmp_relation(tmp_relation) %}
    {%- if target.name == 'fakesnow' -%}
        {{ return(tmp_relation.include(database=false, schema=false)) }}
    {%- endif -%}
    {{ return(tmp_relation) }}
{% endmacro %}
