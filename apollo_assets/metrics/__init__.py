"""The L1/L2 product metrics as people read them, computed from the dbt marts one backup at a time: weekly series per
use case or feature, headlines with their week-over-week change, the engagement funnel and the retention cohorts.

Marts only (never staging, gold, the lake or the snapshot zone), read through anything with `relation(model)` and
`frame(sql, params)`: the platform's warehouse resources, DuckDB locally and Snowflake in production. The dashboards
(`apollo_assets/dashboards/`) and the marts' materialization metadata (`apollo_assets/warehouse/mart_metadata.py`)
both compute their numbers here, so that the UI and the dashboards never disagree."""
