"""The warehouse: the lake made queryable (DuckDB locally, Snowflake in production) and the dbt project on it."""
