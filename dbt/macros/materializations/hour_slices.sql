{#-
  `hour_slices`: the stream models' table, keyed by `event_hour` and rebuilt an hour at a time, as `backup_slices`
  rebuilds backups: the requested hours (`stream_hours`, `hour_filter`) are deleted and the model's rows inserted in
  one transaction; no table yet, or --full-refresh, builds the whole table. The body is `backup_slices`' (`build_slices`).
-#}
{% materialization hour_slices, default %}
    {{ return(build_slices(hour_filter('event_hour'))) }}
{% endmaterialization %}
