"""The SQL that removes a retired backup's slices from the warehouse: every base table with a backup id column
(the raw lake tables' `_backup_id`, every dbt model's `backup_id`), found in the catalog rather than listed, so that
a model added later is covered too. Views are left alone: they read those tables (or, for DuckDB's `lake` schema,
the lake's files, which the caller re-points). Pure functions of names, for DuckDB and Snowflake alike."""

from __future__ import annotations

BACKUP_COLUMNS = ("backup_id", "_backup_id")


def backup_tables_sql(schema_to_skip: str = "information_schema") -> str:
    """(schema, table, column) of the current database's base tables that have a backup id column."""
    columns = ", ".join(f"'{c}'" for c in BACKUP_COLUMNS)
    return (
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name "
        "and t.table_catalog = c.table_catalog "
        f"where t.table_type = 'BASE TABLE' and lower(c.column_name) in ({columns}) "
        f"and lower(c.table_schema) <> '{schema_to_skip}' and c.table_catalog = current_database() "
        "order by 1, 2"
    )


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def delete_backup_sql(schema: str, table: str, column: str) -> str:
    """One table's rows of a backup (bind: the backup id); names as the catalog stores them."""
    return f"delete from {quote(schema)}.{quote(table)} where {quote(column)} = ?"
