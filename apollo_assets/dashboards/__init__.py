"""The L1/L2 metric dashboards: a Streamlit app over the marts (`apollo dashboards`, `make dashboards`).

Pages: the L1 overview, the L2 drill-down per feature of a use case, the sequences' engagement funnel and the
retention cohorts; each says how fresh its marts are and links to them in the Dagster UI. The numbers come from
`apollo_assets.metrics`, read through the platform's warehouse resource (DuckDB locally, Snowflake in production):
marts only, never the lake's personal columns or the snapshot zone."""
