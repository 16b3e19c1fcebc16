"""The SQL that removes a retired backup from the warehouse: its rows from every base table with a backup id column
(the raw lake tables' `_backup_id`, every versioned model's registry of backups, any table with `backup_id`), then
the versions of the versioned models made consistent (below); tables found in the catalog rather than listed, so
that a model added later is covered too. Views are left alone: they read those tables (or, for DuckDB's `lake` schema,
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


# Versioned models (dbt/macros/materializations/backup_versions.sql) keep `<model>__versions` (valid_from_backup,
# valid_to_backup) beside `<model>__backups`, the backups they answer for. Deleting a backup from the registry (a
# table with `backup_id`, above) takes it out of the model's answers; its versions are then made consistent.
VERSIONS_SUFFIX = "__versions"


def versioned_tables_sql() -> str:
    """(schema, table) of the current database's base tables of versions (those with a `valid_from_backup`)."""
    return (
        "select c.table_schema, c.table_name from information_schema.columns c "
        "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name "
        "and t.table_catalog = c.table_catalog "
        "where t.table_type = 'BASE TABLE' and lower(c.column_name) = 'valid_from_backup' "
        "and c.table_catalog = current_database() order by 1, 2"
    )


def versioned_tables(found: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(schema, versions table, registry table) of `versioned_tables_sql`'s rows named `<model>__versions` (the
    registry's name in the same case: Snowflake stores unquoted names in upper case)."""
    pairs = []
    for schema, table in found:
        suffix = table[-len(VERSIONS_SUFFIX) :]
        if suffix.lower() == VERSIONS_SUFFIX:
            registry = table[: -len(VERSIONS_SUFFIX)] + ("__BACKUPS" if suffix.isupper() else "__backups")
            pairs.append((schema, table, registry))
    return pairs


def purge_versions_sql(schema: str, versions: str, registry: str) -> str:
    """Delete the versions valid in no backup the registry lists (no binds): those only a retired backup had, and
    any a retirement left before. Retention is the deletion policy, so the events' history goes as well: the
    warehouse keeps events as far back as its oldest backup."""
    table, listed = f"{quote(schema)}.{quote(versions)}", f"{quote(schema)}.{quote(registry)}"
    # Unqualified in the subquery: the registry has `backup_id` only, and the versions never have it.
    return (
        f"delete from {table} where not exists (select 1 from {listed} where backup_id >= valid_from_backup "
        "and (valid_to_backup is null or backup_id < valid_to_backup))"
    )


def move_version_bounds_sql(schema: str, versions: str, registry: str) -> list[str]:
    """After the purge, the versions that began or ended at the retired backup begin or end at the next backup the
    registry lists (an end with no later backup: current again), so that the next build, which compares with the
    versions valid at the newest backup left, finds them open. Each binds the retired backup id twice."""
    table, listed = f"{quote(schema)}.{quote(versions)}", f"{quote(schema)}.{quote(registry)}"
    next_listed = f"(select min(backup_id) from {listed} where backup_id > ?)"
    return [
        f"update {table} set {bound} = {next_listed} where {bound} = ?"
        for bound in ("valid_from_backup", "valid_to_backup")
    ]
