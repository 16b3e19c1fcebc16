"""The local warehouse: one DuckDB file under APOLLO_DATA_DIR."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.warehouse.dbt_manifest import relation_name
from apollo_assets.warehouse.duckdb_lake import point_lake_views, refresh_lake_views, refresh_stream_views
from apollo_assets.warehouse.retirement import (
    backup_tables_sql,
    delete_backup_sql,
    move_version_bounds_sql,
    purge_versions_sql,
    versioned_tables,
    versioned_tables_sql,
)
from apollo_assets.warehouse.stream_tables import StreamTable, committed_files

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


class DuckDBWarehouse(dg.ConfigurableResource):
    """DuckDB file that dbt builds into; the lake is exposed to it as views, never copied."""

    path: str
    dbt_manifest: str

    def relation(self, model: str) -> str:
        """The table where dbt builds `model` in this warehouse."""
        return relation_name(Path(self.dbt_manifest), model)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb  # imported by the steps that query, not by the definitions

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Read-only as an access mode in the config, the way dagster-dbt's in-process adapter (row counts) opens the
        # file: DuckDB refuses a second connection of another configuration in one process, and `read_only=True`
        # counts as another one. The dbt step can then read the marts it just built (apollo_assets/warehouse/
        # mart_metadata.py).
        config = {"access_mode": "READ_ONLY"} if read_only else {}
        con = duckdb.connect(self.path, config=config)
        try:
            yield con
        finally:
            con.close()

    def dbt_environment(self) -> dict[str, str]:
        return {"APOLLO_WAREHOUSE_PATH": str(self.path)}

    def expose_lake(self, lake: LakeResource, backup_ids: Sequence[str] | None = None) -> dict[str, int]:
        """Refresh the `lake` views over every committed partition; returns the file count per collection.

        `backup_ids` (the run's backups) needs no special treatment here: a view covers every partition at no cost.
        """
        files = {}
        for collection in COLLECTIONS:
            dataset = lake.masked(collection)
            files[collection] = [f for backup_id in dataset.partitions() for f in dataset.files(backup_id)]
        with self.connect() as con:
            refresh_lake_views(con, files)
        return {collection: len(paths) for collection, paths in files.items()}

    def expose_stream(
        self, lake: LakeResource, tables: Sequence[StreamTable], hours: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Point each `lake.stream_<topic>` view at every committed file of its commit log; returns the file count
        per table. `hours` needs nothing here: a view covers every hour at no cost. A stream with no committed
        file yet has no view (the stream models then read no rows)."""
        location = open_location(lake.lake_url)
        files = {
            t.table: [f"{t.log(location).path}/{f.path}" for f in committed_files(t.log(location))] for t in tables
        }
        with self.connect() as con:
            refresh_stream_views(con, files)
        return {table: len(paths) for table, paths in files.items()}

    def retire_backup(self, lake: LakeResource, backup_id: str) -> dict[str, int]:
        """Delete the backup's rows from every dbt table, purge the versions no other backup has (re-pointing those
        that began or ended at it: `retirement.py`) and point the `lake` views at the other partitions only, in one
        transaction; the backup's lake files are then no longer read by anything here."""
        if not Path(self.path).exists():
            return {}
        files = {}
        for collection in COLLECTIONS:
            dataset = lake.masked(collection)
            files[collection] = [f for b in dataset.partitions() if b != backup_id for f in dataset.files(b)]
        with self.connect() as con:
            con.execute("begin transaction")
            removed = remove_backup(con, backup_id)
            point_lake_views(con, files)
            con.execute("commit")
        return removed

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).df()


def remove_backup(con: duckdb.DuckDBPyConnection, backup_id: str) -> dict[str, int]:
    """The backup's rows out of every table that has them, the versions no other backup has purged and those that
    began or ended at it re-pointed (`retirement.py`); the rows removed per table. In the caller's transaction."""
    removed = {}
    for schema, table, column in con.execute(backup_tables_sql()).fetchall():
        (count,) = con.execute(delete_backup_sql(schema, table, column), [backup_id]).fetchone()
        if count:
            removed[f"{schema}.{table}"] = count
    for schema, versions, registry in versioned_tables(con.execute(versioned_tables_sql()).fetchall()):
        (count,) = con.execute(purge_versions_sql(schema, versions, registry)).fetchone()
        if count:
            removed[f"{schema}.{versions}"] = count
        for sql in move_version_bounds_sql(schema, versions, registry):
            con.execute(sql, [backup_id, backup_id])
    return removed
