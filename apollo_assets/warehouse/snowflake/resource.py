"""The production warehouse: Snowflake, reached through dagster-snowflake's resource.

Same interface as `DuckDBWarehouse` (`expose_lake`, `relation`, `query`, `frame`), so the dbt and model assets do
not know which one they run on. Credentials are `dg.EnvVar`s in the nested `SnowflakeResource`: Dagster resolves
them when a step starts, so no secret is ever part of the config, the run metadata or the logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import dagster as dg
import pandas as pd
from dagster_snowflake import SnowflakeResource

from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.storage import open_location
from apollo_assets.warehouse.dbt_manifest import model_node
from apollo_assets.warehouse.retirement import (
    backup_tables_sql,
    delete_backup_sql,
    move_version_bounds_sql,
    purge_versions_sql,
    versioned_tables,
    versioned_tables_sql,
)
from apollo_assets.warehouse.snowflake.load import load_partition
from apollo_assets.warehouse.snowflake.sql import create_schema_sql
from apollo_assets.warehouse.snowflake.stage import ExternalStage, InternalStage
from apollo_assets.warehouse.snowflake.stream_load import load_stream_hours
from apollo_assets.warehouse.stream_tables import StreamTable


class SnowflakeWarehouse(dg.ConfigurableResource):
    """Snowflake that dbt builds into; each backup's lake partitions are copied into `LAKE.<COLLECTION>` first.

    With `storage_integration` and a gs:// lake, Snowflake reads the lake through an external stage; otherwise
    the worker PUTs the files to an internal stage.
    """

    snowflake: SnowflakeResource
    dbt_manifest: str
    storage_integration: str | None = None

    def relation(self, model: str) -> str:
        """`<schema>.<table>` of a dbt model, in the connection's database (the manifest's database name is the
        one of the environment that parsed it, which need not be this one)."""
        node = model_node(self.dbt_manifest, model)
        return f"{node['schema']}.{node['alias']}"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        with self.snowflake.get_connection() as con:
            yield con

    def stage(self, lake: LakeResource) -> ExternalStage | InternalStage:
        location = open_location(lake.lake_url)
        if self.storage_integration and location.url.startswith("gs://"):
            return ExternalStage(location, self.storage_integration)
        return InternalStage()

    def dbt_environment(self) -> dict[str, str]:
        return {}  # the profile's Snowflake target reads the account's variables, which the deployment sets

    def expose_lake(self, lake: LakeResource, backup_ids: Sequence[str] | None = None) -> dict[str, int]:
        """(Re)load these backups' partitions of every collection (all committed ones when None); returns the
        rows loaded per collection. A requested backup missing from the lake fails (PartitionNotFoundError)."""
        stage = self.stage(lake)
        loaded: dict[str, int] = {}
        with self.connect() as con:
            cursor = con.cursor()
            cursor.execute(create_schema_sql())
            cursor.execute(stage.create_sql())
            for collection in COLLECTIONS:
                dataset = lake.masked(collection)
                ids = list(backup_ids) if backup_ids is not None else dataset.partitions()
                loaded[collection] = sum(load_partition(cursor, stage, collection, dataset, i) for i in ids)
        return loaded

    def expose_stream(
        self, lake: LakeResource, tables: Sequence[StreamTable], hours: Sequence[str] | None = None
    ) -> dict[str, int]:
        """(Re)load these hour folders (`2026-11-27T10`; every committed hour when None) of each stream table;
        returns the rows loaded per table."""
        stage, location = self.stage(lake), open_location(lake.lake_url)
        loaded: dict[str, int] = {}
        with self.connect() as con:
            cursor = con.cursor()
            cursor.execute(create_schema_sql())
            cursor.execute(stage.create_sql())
            for stream in tables:
                loaded[stream.table] = load_stream_hours(cursor, stage, stream, stream.log(location), hours)
        return loaded

    def retire_backup(self, lake: LakeResource, backup_id: str) -> dict[str, int]:
        """Delete the backup's rows from `LAKE.*` and every dbt table, and purge or re-point the versions of the
        versioned models (`retirement.py`), in one transaction (the lake's files are
        copied in, never read in place, so nothing else here names them)."""
        removed = {}
        with self.connect() as con:
            cursor = con.cursor()
            tables = cursor.execute(backup_tables_sql()).fetchall()
            versioned = versioned_tables(cursor.execute(versioned_tables_sql()).fetchall())
            cursor.execute("BEGIN")
            try:
                for schema, table, column in tables:
                    cursor.execute(delete_backup_sql(schema, table, column), [backup_id])
                    if cursor.rowcount:
                        removed[f"{schema}.{table}"] = cursor.rowcount
                for schema, versions, registry in versioned:
                    cursor.execute(purge_versions_sql(schema, versions, registry))
                    if cursor.rowcount:
                        removed[f"{schema}.{versions}"] = cursor.rowcount
                    for sql in move_version_bounds_sql(schema, versions, registry):
                        cursor.execute(sql, [backup_id, backup_id])
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        return removed

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.connect() as con:
            return con.cursor().execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """The result as DuckDB's `.df()` gives it: lower-case column names (dbt's unquoted columns), decimals as
        floats rather than `Decimal` objects (which the model guards would take for categorical tokens)."""
        with self.connect() as con:
            cursor = con.cursor().execute(sql, params or [])
            frame = cursor.fetch_pandas_all()
            names = [d[0].lower() for d in cursor.description]
        if frame.columns.empty:  # no rows: the connector may return a frame without columns
            return pd.DataFrame(columns=names)
        frame.columns = names
        return decimals_as_floats(frame)


def decimals_as_floats(frame: pd.DataFrame) -> pd.DataFrame:
    """NUMBER columns with a scale may arrive as `Decimal` objects (they do from fakesnow; the Snowflake connector
    gives floats): as floats, like DuckDB's frames."""
    for column in frame.select_dtypes(include="object").columns:
        values = frame[column].dropna()
        if len(values) and all(isinstance(v, Decimal) for v in values):
            frame[column] = frame[column].astype("float64")
    return frame
