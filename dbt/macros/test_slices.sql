{#-
  Tests check the backup slices that the invocation builds. A build for some backups
  (`--vars '{backup_ids: [...]}'`, what a partition's run passes) restricts every generic test on a model of this
  project to those slices: the other slices did not change, and were tested when they were built. Without
  `backup_ids` (a full build) tests see every row. A test's own `where` config still applies. The stream models
  (`hour_slices`) are restricted alike to the hours of `stream_hours`.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set sliced_by = slicing_of(relation) -%}
    {%- if backup_ids() is not none and sliced_by in ('backup_versions', 'backup_slices') -%}
        {%- do conditions.append(backup_filter('backup_id')) -%}
    {%- elif stream_hours() is not none and sliced_by == 'hour_slices' -%}
        {%- do conditions.append(hour_filter('event_hour')) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#-
  How `relation` is sliced when it is one of this project's models (its materialization): `backup_versions` or
  `backup_slices` (it answers per backup in `backup_id`) or `hour_slices` (one slice per stream hour in
  `event_hour`); none otherwise.
-#}
{% macro slicing_of(relation) -%}
    {%- if not execute or relation is string or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name
            and (node.alias or node.name) | lower == relation.identifier | lower
            and node.schema | lower == (relation.schema or '') | lower -%}
            {{ return(node.config.materialized) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
