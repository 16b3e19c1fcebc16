"""Snowflake in production: the resource, the lake stage and load, SQL and column types."""
