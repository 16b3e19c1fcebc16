"""Expose the masked lake to DuckDB as the `lake` schema that the dbt sources read.

Each `lake.<collection>` is a view over the committed Parquet files of every backup partition. A view (rather than
a copied table) follows schema changes between backups for free: a field that appears later, or whose type
drifts in one backup, is unified by name across files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

LAKE_SCHEMA = "lake"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def view_sql(collection: str, files: Sequence[str]) -> str:
    target = f"{LAKE_SCHEMA}.{_quote(collection)}"
    file_list = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    # The partition folders are named backup_id=<id> (hour=<hour> in the stream's): hive partitioning off, or DuckDB
    # adds a column of its own.
    options = "union_by_name = true, hive_partitioning = false"
    return f"create or replace view {target} as select * from read_parquet([{file_list}], {options})"


def refresh_lake_views(con: duckdb.DuckDBPyConnection, files_by_collection: Mapping[str, Sequence[str]]) -> None:
    """Point each collection's view at exactly these files (the committed versions of its partitions)."""
    con.execute(f"create schema if not exists {LAKE_SCHEMA}")
    for collection, files in files_by_collection.items():
        if not files:
            raise ValueError(f"lake dataset {collection!r} has no committed partition to expose")
        con.execute(view_sql(collection, files))


def point_lake_views(con: duckdb.DuckDBPyConnection, files_by_collection: Mapping[str, Sequence[str]]) -> None:
    """Re-point the `lake` views that exist at these files (a backup retired); a view left with no partition is
    dropped. Anything else in the schema (a table of raw rows) is not a view over the lake and is left alone."""
    views = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'VIEW' "
        "and table_catalog = current_database()",
        [LAKE_SCHEMA],
    ).fetchall()
    for (collection,) in views:
        files = files_by_collection.get(collection)
        if files is None:
            continue
        if files:
            con.execute(view_sql(collection, files))
        else:
            con.execute(f"drop view {LAKE_SCHEMA}.{_quote(collection)}")


def refresh_stream_views(con: duckdb.DuckDBPyConnection, files_by_table: Mapping[str, Sequence[str]]) -> None:
    """Point each stream table's view at exactly these files (its commit log's); a stream without files has none."""
    con.execute(f"create schema if not exists {LAKE_SCHEMA}")
    for table, files in files_by_table.items():
        if files:
            con.execute(view_sql(table, files))
