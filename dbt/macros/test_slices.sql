{#-
  Tests check the backup slices that the invocation builds. A build for some backups
  (`--vars '{backup_ids: [...]}'`, what a partition's run passes) restricts every generic test on a model of this
  project to those slices: the other slices did not change, and were tested when they were built. Without
  `backup_ids` (a full build) tests see every row. A test's own `where` config still applies.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if backup_ids() is not none and is_backup_sliced(relation) -%}
        {%- do conditions.append(backup_filter('backup_id')) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#- Whether `relation` is one of this project's models (each holds one slice per backup in `backup_id`). -#}
{% macro is_backup_sliced(relation) -%}
    {%- if not execute or relation is string or relation.identifier is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and (node.alias or node.name) | lower == relation.identifier | lower
            and node.schema | lower == (relation.schema or '') | lower -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
