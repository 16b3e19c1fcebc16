{#-
  Reading the raw lake tables (`lake.<collection>`, loaded by Python from the masked Parquet lake).

  Their columns follow the lake's Arrow schema, which varies: a field missing from every document of a backup has
  no column, masking may drop a field, a new field appears in a later backup (people.twitter_url), a drifting
  field arrives as a string of Extended JSON plus `<field>__bson_type`. Staging models therefore read every column
  through these macros, which look at the table's actual columns at compile time: an absent column (or struct
  field) reads as a typed null, a string column that should be a number is safe-cast.
-#}

{#- {lowercased column name: data type} of a relation (empty at parse time). -#}
{% macro lake_columns(relation) -%}
    {%- set found = {} -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do found.update({column.name | lower: column.data_type | upper}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{% macro lake_has(cols, name) -%}
    {{ return((not execute) or (name in cols)) }}
{%- endmacro %}


{% macro is_string_type(data_type) -%}
    {{ return(modules.re.match('^(VARCHAR|CHARACTER|CHAR|TEXT|STRING)', data_type or '') is not none) }}
{%- endmacro %}


{#- A STRUCT type (DuckDB) lacks `field`; semi-structured types (Snowflake VARIANT/OBJECT) never do. -#}
{% macro struct_lacks_field(data_type, field) -%}
    {%- set data_type = data_type or '' -%}
    {%- if not data_type.startswith('STRUCT') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set pattern = '[(,]\\s*"?' ~ modules.re.escape(field | upper) ~ '"?\\s' -%}
    {{ return(modules.re.search(pattern, data_type) is none) }}
{%- endmacro %}


{#- A column, cast to `type` (no cast when type is none); a typed null when the column is absent. -#}
{% macro lake_col(cols, name, type=none) -%}
    {%- if lake_has(cols, name) -%}
        {%- if type is none -%}{{ name }}{%- else -%}cast({{ name }} as {{ type }}){%- endif -%}
    {%- else -%}
        cast(null as {{ type or dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{#- A timestamp column as naive UTC. -#}
{% macro lake_timestamp(cols, name) -%}
    {%- if lake_has(cols, name) -%}
        {%- if is_string_type(cols.get(name)) -%}
            {{ to_utc_timestamp(dbt.safe_cast(name, dbt.type_timestamp())) }}
        {%- else -%}
            {{ to_utc_timestamp(name) }}
        {%- endif -%}
    {%- else -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}


{#-
  The text of a scalar held as canonical or relaxed Extended JSON, e.g. 1998, "1998", {"$numberInt": "1998"},
  {"$numberDouble": "NaN"} -> 1998, 1998, 1998, NaN.
-#}
{% macro extended_json_scalar_text(expr) -%}
    nullif(trim({{ regex_replace_all(expr, '[$]number[A-Za-z0-9]+[" ]*:|[{}" ]', '') }}), '')
{%- endmacro %}


{#-
  A numeric column that may arrive as a string: a type-drift column (Extended JSON text, with a sibling
  `<name>__bson_type`), a Decimal128 out of Arrow's range, or a plain number. Unparseable values, NaN and
  infinities become null.
-#}
{% macro lake_number(cols, name, type) -%}
    {%- if not lake_has(cols, name) -%}
        cast(null as {{ type }})
    {%- elif is_string_type(cols.get(name)) or not execute -%}
        {%- set text = extended_json_scalar_text('cast(' ~ name ~ ' as ' ~ dbt.type_string() ~ ')') -%}
        case when lower({{ text }}) not in ('nan', 'inf', '-inf', 'infinity', '-infinity')
            then {{ dbt.safe_cast(text, type) }} end
    {%- else -%}
        cast({{ name }} as {{ type }})
    {%- endif -%}
{%- endmacro %}


{#- A field of a struct column (null when the column or the field is absent). -#}
{% macro lake_struct_field(cols, name, field, type=none) -%}
    {%- if not lake_has(cols, name) or struct_lacks_field(cols.get(name), field) -%}
        cast(null as {{ type or dbt.type_string() }})
    {%- else -%}
        {{ struct_field(name, field, type) }}
    {%- endif -%}
{%- endmacro %}


{#- Number of elements of a list column (0 when the list is null, null when the column is absent). -#}
{% macro lake_list_size(cols, name) -%}
    {%- if lake_has(cols, name) -%}
        coalesce(cast({{ array_size(name) }} as {{ dbt.type_int() }}), 0)
    {%- else -%}
        cast(null as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}


{#- First element of a list-of-strings column. -#}
{% macro lake_list_first(cols, name) -%}
    {%- if lake_has(cols, name) -%}
        {{ array_first(name, dbt.type_string()) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
