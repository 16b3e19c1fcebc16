"""How fresh a page's marts are: their last materialization and backup, from the Dagster instance when there is one,
else from the warehouse's own `backup_id` column; and the asset's page in the Dagster UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import dagster as dg

from apollo_assets.metrics.marts import MartReader

ASSET_PREFIX = "warehouse"  # dbt models are warehouse/<model> assets (apollo_assets/warehouse/dbt_project.py)


@dataclass(frozen=True)
class MartFreshness:
    model: str
    backup_id: str | None  # the backup of the last materialization, or the newest backup the mart holds
    materialized_at: datetime | None  # None when the Dagster instance has no record of it
    run_id: str | None = None

    def describe(self) -> str:
        if self.materialized_at is not None:
            when = self.materialized_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            run = f", run {self.run_id[:8]}" if self.run_id else ""
            return f"{self.model} last materialized {when} from backup {self.backup_id or 'unknown'}{run}"
        if self.backup_id is None:
            return f"{self.model}: no backup in the warehouse yet"
        return f"{self.model}: newest backup in the warehouse {self.backup_id} (no materialization recorded in Dagster)"


def open_instance(dagster_home: Path) -> dg.DagsterInstance | None:
    """The platform's Dagster instance, when `dagster_home` holds one (an empty folder is not opened: Dagster would
    create an instance there)."""
    if not dagster_home.is_dir() or not any((dagster_home / name).exists() for name in ("dagster.yaml", "storage")):
        return None
    return dg.DagsterInstance.from_config(str(dagster_home))


def from_instance(instance: dg.DagsterInstance, model: str) -> MartFreshness | None:
    event = instance.get_latest_materialization_event(dg.AssetKey([ASSET_PREFIX, model]))
    if event is None or event.asset_materialization is None:
        return None
    materialized_at = datetime.fromtimestamp(event.timestamp, tz=UTC)
    return MartFreshness(model, event.asset_materialization.partition, materialized_at, event.run_id)


def from_warehouse(reader: MartReader, model: str) -> MartFreshness:
    found = reader.frame(f"select max(backup_id) as backup_id from {reader.relation(model)}")["backup_id"]
    backup_id = found.iloc[0] if len(found) else None
    return MartFreshness(model, None if backup_id is None or backup_id != backup_id else str(backup_id), None)


def mart_freshness(model: str, instance: dg.DagsterInstance | None, reader: MartReader) -> MartFreshness:
    recorded = from_instance(instance, model) if instance is not None else None
    return recorded or from_warehouse(reader, model)


def asset_url(dagster_ui: str, model: str, backup_id: str | None = None) -> str:
    """The mart's asset page in the Dagster UI (its partition's, when a backup is given)."""
    url = f"{dagster_ui}/assets/{ASSET_PREFIX}/{quote(model)}"
    return f"{url}?{urlencode({'view': 'partitions', 'partition': backup_id})}" if backup_id else url
