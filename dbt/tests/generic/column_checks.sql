{#-
  A model's column checks in one query, one row per failing check (`failing_check`: "column: check", `failures`: the
  rows that fail it), declared per column:

      data_tests:
        - column_checks:
            arguments:
              checks:
                person_id: [not_null]
                seniority: [{accepted_values: [c_suite, vp, other]}]   # nulls pass, as in dbt's accepted_values
                retention_rate: [{value_between: [0, 1]}]
                messages_opened: [{not_greater_than: messages_sent}]

  One test node per model rather than one per column and check: dbt's own cost per node does not shrink with the
  data, and a partition's build runs a few dozen tests instead of a hundred and fifty. Uniqueness and relationships
  stay tests of their own.
-#}
{% test column_checks(model, checks) %}
{%- set named = [] -%}
{%- for column, column_checks in checks.items() -%}
    {%- for check in column_checks -%}
        {%- set kind = check if check is string else (check.keys() | list | first) -%}
        {%- set argument = none if check is string else check[kind] -%}
        {%- if kind == 'not_null' -%}
            {%- set failing = column ~ ' is null' -%}
        {%- elif kind == 'accepted_values' -%}
            {%- set listed = [] -%}
            {%- for value in argument -%}
                {%- do listed.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
            {%- endfor -%}
            {%- set failing = column ~ ' not in (' ~ (listed | join(', ')) ~ ')' -%}
        {%- elif kind == 'value_between' -%}
            {%- set failing = column ~ ' < ' ~ argument[0] ~ ' or ' ~ column ~ ' > ' ~ argument[1] -%}
        {%- elif kind == 'not_greater_than' -%}
            {%- set failing = column ~ ' > ' ~ argument -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error('column_checks: unknown check ' ~ kind ~ ' on ' ~ column) }}
        {%- endif -%}
        {%- do named.append((column ~ ': ' ~ kind, failing)) -%}
    {%- endfor -%}
{%- endfor %}
with counted as (
    select
    {%- for name, failing in named %}
        sum(case when {{ failing }} then 1 else 0 end) as check_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for name, failing in named %}
select '{{ name }}' as failing_check, check_{{ loop.index }} as failures from counted where check_{{ loop.index }} > 0
{{ 'union all' if not loop.last }}
{%- endfor %}
{% endtest %}
