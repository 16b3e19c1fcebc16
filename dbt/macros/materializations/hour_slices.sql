{#-
  `hour_slices`: the stream models' table, keyed by `event_hour` and rebuilt an hour at a time, as `backup_slices`
  rebuilds backups: the requested hours (`stream_hours`, `hour_filter`) are deleted and the model's rows inserted in
  one transaction; no table yet, or --full-refresh, builds the whole table. The helpers are `backup_slices`'.
-#}
{% materialization hour_slices, default %}
    {%- set existing = load_cached_relation(this) -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set rebuild = existing is none or should_full_refresh() or existing.is_view -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if rebuild -%}
        {%- set to_drop = swap_in_new_table(existing, target, compiled_code) -%}
    {%- else -%}
        {%- set to_drop = [] -%}
        {%- set columns = slice_columns(target, compiled_code) -%}
        {%- set dml -%}
            delete from {{ target }} where {{ hour_filter('event_hour') }};
            insert into {{ target }} ({{ columns | join(', ') }})
            select {{ columns | join(', ') }} from (
                {{ compiled_code }}
            ) as slices
        {%- endset -%}
        {%- call statement('main') -%}
            {{ adapter.dispatch('slice_transaction', 'apollo')(dml) }}
        {%- endcall -%}
    {%- endif -%}

    {% do apply_grants(target, grant_config, should_revoke=should_revoke(existing, rebuild)) %}
    {% do persist_docs(target, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {%- for relation in to_drop -%}
        {% do adapter.drop_relation(relation) %}
    {%- endfor -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}
