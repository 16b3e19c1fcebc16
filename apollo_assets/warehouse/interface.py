"""What the assets need of a warehouse, whichever it is (DuckDB locally, Snowflake in production)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from apollo_assets.lake.resource import LakeResource
from apollo_assets.warehouse.stream_tables import StreamTable

if TYPE_CHECKING:
    import pandas as pd


class Warehouse(Protocol):
    dbt_manifest: str

    def dbt_environment(self) -> dict[str, str]:
        """What dbt's profile reads from the environment to reach this warehouse (`dbt/profiles.yml`)."""
        ...

    def expose_lake(self, lake: LakeResource, backup_ids: Sequence[str] | None = None) -> dict[str, int]:
        """Make the lake's committed partitions (at least these backups') readable as `lake.<collection>`."""
        ...

    def expose_stream(
        self, lake: LakeResource, tables: Sequence[StreamTable], hours: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Make the stream's committed events (at least those of these hour folders, `2026-11-27T10`; every hour
        when None) readable as `lake.<table>`; returns what was exposed per table (files or rows)."""
        ...

    def retire_backup(self, lake: LakeResource, backup_id: str) -> dict[str, int]:
        """Remove the backup's rows from every table that has them (raw lake tables, the dbt models' registries),
        purge the versions no other backup has and re-point those that began or ended at it (`retirement.py`), and
        stop reading its lake partitions; returns the rows removed per table. Run before its lake data is deleted."""
        ...

    def relation(self, model: str) -> str: ...

    def query(self, sql: str, params: list | None = None) -> list[tuple]: ...

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame: ...
