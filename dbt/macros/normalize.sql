{#- Normalizations shared by the staging and gold models. -#}

{#- Lowercase snake_case label: "Vice President" -> vice_president, "C-Suite" -> c_suite. -#}
{% macro snake_label(expr) -%}
    nullif({{ regex_replace_all(regex_replace_all('lower(trim(' ~ expr ~ '))', '[^a-z0-9]+', '_'), '^_+|_+$', '') }}, '')
{%- endmacro %}


{#- Seniority on the contract's scale: c_suite, vp, director, manager, senior, entry; other; null when missing. -#}
{% macro normalize_seniority(expr) -%}
    {%- set label = snake_label(expr) -%}
    case
        when {{ label }} is null then null
        when {{ label }} in ('c_suite', 'csuite', 'c_level', 'clevel', 'cxo', 'executive', 'chief') then 'c_suite'
        when {{ label }} in ('vp', 'v_p', 'vice_president', 'svp', 'evp', 'avp') then 'vp'
        when {{ label }} in ('director', 'head', 'dir') then 'director'
        when {{ label }} in ('manager', 'mgr', 'management') then 'manager'
        when {{ label }} in ('senior', 'sr', 'lead', 'principal') then 'senior'
        when {{ label }} in ('entry', 'entry_level', 'junior', 'jr', 'intern', 'associate') then 'entry'
        else 'other'
    end
{%- endmacro %}


{#- Department label: snake_case, without Apollo's "master_" prefix (master_sales -> sales). -#}
{% macro normalize_department(expr) -%}
    {{ regex_replace_all(snake_label(expr), '^master_', '') }}
{%- endmacro %}


{#- Domain of an email address, lowercased (masked emails are <hex>@domain: the domain survives masking). -#}
{% macro email_domain(expr) -%}
    {{ normalize_domain(dbt.split_part('trim(' ~ expr ~ ')', "'@'", 2)) }}
{%- endmacro %}


{#- A bare host name: lowercased, without scheme, "www.", path, port or trailing dot. -#}
{% macro normalize_domain(expr) -%}
    nullif({{ regex_replace_all(
        regex_replace_all('lower(trim(' ~ expr ~ '))', '^[a-z][a-z0-9+.-]*://', ''),
        '^www[.]|[/?#:].*$|[.]$', '') }}, '')
{%- endmacro %}


{#- Employee-count buckets (LinkedIn-style). -#}
{% macro employee_size_bucket(expr) -%}
    case
        when {{ expr }} is null then 'unknown'
        when {{ expr }} <= 10 then '1-10'
        when {{ expr }} <= 50 then '11-50'
        when {{ expr }} <= 200 then '51-200'
        when {{ expr }} <= 500 then '201-500'
        when {{ expr }} <= 1000 then '501-1000'
        when {{ expr }} <= 5000 then '1001-5000'
        when {{ expr }} <= 10000 then '5001-10000'
        else '10001+'
    end
{%- endmacro %}


{#- Annual revenue buckets (USD). -#}
{% macro revenue_bucket(expr) -%}
    case
        when {{ expr }} is null then 'unknown'
        when {{ expr }} < 1000000 then '<1M'
        when {{ expr }} < 10000000 then '1M-10M'
        when {{ expr }} < 50000000 then '10M-50M'
        when {{ expr }} < 100000000 then '50M-100M'
        when {{ expr }} < 500000000 then '100M-500M'
        when {{ expr }} < 1000000000 then '500M-1B'
        else '1B+'
    end
{%- endmacro %}
