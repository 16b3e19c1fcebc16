{#-
  What differs between DuckDB (local, tests) and Snowflake (production). Models call these macros and dbt's own
  cross-database macros (dbt.date_trunc, dbt.datediff, dbt.dateadd, dbt.safe_cast, dbt.split_part, dbt.hash…);
  they never contain target-specific SQL.

  Nested data: in DuckDB the lake's Arrow structs are STRUCTs and lists are LISTs; in Snowflake they are
  OBJECT/ARRAY/VARIANT columns (semi-structured), read with path notation and LATERAL FLATTEN.
  Regular expressions are passed as plain strings: write them without backslashes (use [.] rather than \.),
  since Snowflake string literals treat backslashes as escapes.
-#}

{#- A double-precision float type (dbt.type_float() is a 4-byte FLOAT on DuckDB). -#}
{% macro type_double() -%}{{ return(adapter.dispatch('type_double', 'apollo')()) }}{%- endmacro %}
{% macro default__type_double() -%}{{ return('double precision') }}{%- endmacro %}
{% macro duckdb__type_double() -%}{{ return('double') }}{%- endmacro %}
{% macro snowflake__type_double() -%}{{ return('float') }}{%- endmacro %}


{#- dbt.safe_cast on DuckDB: dbt-duckdb has no implementation (the default is a plain cast). -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#- A field of a struct / object: DuckDB struct_extract(address, 'city'), Snowflake address:city. -#}
{% macro struct_field(expr, field, type=none) -%}
    {{ return(adapter.dispatch('struct_field', 'apollo')(expr, field, type)) }}
{%- endmacro %}

{% macro default__struct_field(expr, field, type) -%}
    {%- set value = '(' ~ expr ~ ').' ~ field -%}
    {%- if type is none -%}{{ value }}{%- else -%}cast({{ value }} as {{ type }}){%- endif -%}
{%- endmacro %}

{% macro duckdb__struct_field(expr, field, type) -%}
    {%- set value = "struct_extract(" ~ expr ~ ", '" ~ field ~ "')" -%}
    {%- if type is none -%}{{ value }}{%- else -%}cast({{ value }} as {{ type }}){%- endif -%}
{%- endmacro %}

{% macro snowflake__struct_field(expr, field, type) -%}
    {%- set value = expr ~ ':"' ~ field ~ '"' -%}
    {%- if type is none -%}{{ value }}{%- else -%}cast({{ value }} as {{ type }}){%- endif -%}
{%- endmacro %}


{#-
  One row per element of a list column: a FROM-clause fragment to place right after the table it unnests, e.g.

      from people as p
      {{ unnest_join('p.employment_history', 'job') }}

  then read the element with {{ unnested_value('job') }} / {{ unnested_field('job', 'title', dbt.type_string()) }}.
  Rows whose list is empty or null produce no row (inner semantics) on every target.
-#}
{% macro unnest_join(list_expr, alias) -%}
    {{ return(adapter.dispatch('unnest_join', 'apollo')(list_expr, alias)) }}
{%- endmacro %}

{% macro default__unnest_join(list_expr, alias) -%}
    cross join unnest({{ list_expr }}) as {{ alias }}(value)
{%- endmacro %}

{% macro snowflake__unnest_join(list_expr, alias) -%}
    , lateral flatten(input => {{ list_expr }}) as {{ alias }}
{%- endmacro %}

{% macro unnested_value(alias) -%}
    {{ return(adapter.dispatch('unnested_value', 'apollo')(alias)) }}
{%- endmacro %}

{% macro default__unnested_value(alias) -%}
    {{ alias }}.value
{%- endmacro %}

{% macro unnested_field(alias, field, type=none) -%}
    {{ return(struct_field(unnested_value(alias), field, type)) }}
{%- endmacro %}


{#- Number of elements of a list (null when the list is null). -#}
{% macro array_size(expr) -%}
    {{ return(adapter.dispatch('array_size', 'apollo')(expr)) }}
{%- endmacro %}

{% macro default__array_size(expr) -%}cardinality({{ expr }}){%- endmacro %}
{% macro duckdb__array_size(expr) -%}len({{ expr }}){%- endmacro %}
{% macro snowflake__array_size(expr) -%}array_size({{ expr }}){%- endmacro %}


{#- First element of a list (null when empty): DuckDB lists are 1-based, Snowflake arrays 0-based. -#}
{% macro array_first(expr, type=none) -%}
    {{ return(adapter.dispatch('array_first', 'apollo')(expr, type)) }}
{%- endmacro %}

{% macro default__array_first(expr, type) -%}
    {%- set value = '(' ~ expr ~ ')[1]' -%}
    {%- if type is none -%}{{ value }}{%- else -%}cast({{ value }} as {{ type }}){%- endif -%}
{%- endmacro %}

{% macro snowflake__array_first(expr, type) -%}
    {%- set value = '(' ~ expr ~ ')[0]' -%}
    {%- if type is none -%}{{ value }}{%- else -%}cast({{ value }} as {{ type }}){%- endif -%}
{%- endmacro %}


{#- Replace every match of a regular expression. -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'apollo')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ dbt.string_literal(pattern) }}, {{ dbt.string_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro snowflake__regex_replace_all(expr, pattern, replacement) -%}
    {#- Snowflake replaces every occurrence by default. -#}
    regexp_replace({{ expr }}, {{ dbt.string_literal(pattern) }}, {{ dbt.string_literal(replacement) }})
{%- endmacro %}


{#- Number of keys of a JSON object held in a string (null when the string is not a JSON object). -#}
{% macro json_object_key_count(expr) -%}
    {{ return(adapter.dispatch('json_object_key_count', 'apollo')(expr)) }}
{%- endmacro %}

{% macro default__json_object_key_count(expr) -%}
    {{ exceptions.raise_compiler_error('json_object_key_count is not implemented for ' ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_object_key_count(expr) -%}
    case when json_valid({{ expr }}) and json_type({{ expr }}) = 'OBJECT'
        then cast(len(json_keys({{ expr }})) as {{ dbt.type_int() }}) end
{%- endmacro %}

{% macro snowflake__json_object_key_count(expr) -%}
    {#- a string starting with "{" that parses is an object (try_parse_json: null when invalid) -#}
    case when left(ltrim({{ expr }}), 1) = '{'
        then array_size(object_keys(try_parse_json({{ expr }}))) end
{%- endmacro %}


{#- A timestamp (with time zone, or naive UTC) as a naive UTC timestamp. -#}
{% macro to_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'apollo')(expr)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    cast({{ expr }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    {#- timezone(text, timestamptz) -> timestamp; naive input is read in the session time zone (UTC, see profiles). -#}
    timezone('UTC', cast({{ expr }} as timestamptz))
{%- endmacro %}

{% macro snowflake__to_utc_timestamp(expr) -%}
    cast(convert_timezone('UTC', cast({{ expr }} as timestamp_tz)) as timestamp_ntz)
{%- endmacro %}


{#- ISO day of week: 1 = Monday … 7 = Sunday (independent of Snowflake's WEEK_START). -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'apollo')(expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expr) -%}cast(extract(isodow from {{ expr }}) as {{ dbt.type_int() }}){%- endmacro %}
{% macro duckdb__iso_day_of_week(expr) -%}cast(isodow({{ expr }}) as {{ dbt.type_int() }}){%- endmacro %}
{% macro snowflake__iso_day_of_week(expr) -%}cast(dayofweekiso({{ expr }}) as {{ dbt.type_int() }}){%- endmacro %}


{#- Hour of the day (0-23) of a timestamp. -#}
{% macro hour_of_day(expr) -%}
    cast(extract(hour from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}


{#- Monday of the week of a timestamp, as a date (ISO weeks; Snowflake's default WEEK_START = 0 is Monday). -#}
{% macro week_start(expr) -%}
    cast({{ dbt.date_trunc('week', expr) }} as date)
{%- endmacro %}


{#- Keep one row per partition: the first in `order_by` order. -#}
{% macro keep_first(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('keep_first', 'apollo')(relation, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__keep_first(relation, partition_by, order_by) -%}
    {#- QUALIFY: DuckDB, Snowflake, BigQuery, Databricks. -#}
    select * from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{#-
  DuckDB: a window over every row sorts them all, though repeated keys are rare (a document appears once per
  backup). Only the rows whose key repeats go through the window; the rest are kept as they are (a hash
  aggregate of the keys, then an anti and a semi join). Null keys compare equal, as in `partition by`.
-#}
{% macro duckdb__keep_first(relation, partition_by, order_by) -%}
    {%- set keys = partition_by.split(',') | map('trim') | list -%}
    {%- set same_key -%}
        {%- for key in keys %}{{ ' and ' if not loop.first }}keep_row.{{ key }} is not distinct from keep_repeated.{{ key }}{% endfor -%}
    {%- endset -%}
    select * from (
        with keep_repeated as (
            select {{ partition_by }} from {{ relation }} group by all having count(*) > 1
        )
        select keep_row.* from {{ relation }} as keep_row anti join keep_repeated on {{ same_key }}
        union all
        select * from (
            select keep_row.* from {{ relation }} as keep_row semi join keep_repeated on {{ same_key }}
        )
        qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
    ) as keep_first
{%- endmacro %}


{#- A ratio as a double, null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as {{ type_double() }}) / {{ denominator }} end
{%- endmacro %}


{#- Every column of `alias` but `columns` (DuckDB and Snowflake both spell it `alias.* exclude (…)`). -#}
{% macro star_except(alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'apollo')(alias, columns)) }}
{%- endmacro %}

{% macro default__star_except(alias, columns) -%}
    {{ alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}


{#-
  Whether dbt runs against the fakesnow emulator (tests only): the `fakesnow` target, or the `snowflake` target
  pointed at a fakesnow server (APOLLO_SNOWFLAKE_EMULATOR=fakesnow). Only macros that work around an emulator gap
  ask; production SQL never takes these branches.
-#}
{% macro is_fakesnow() -%}
    {{ return(target.name == 'fakesnow' or env_var('APOLLO_SNOWFLAKE_EMULATOR', '') == 'fakesnow') }}
{%- endmacro %}
