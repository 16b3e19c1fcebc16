"""Backup retention: which backups the platform keeps, the removal of a retired backup's data, and the deletion of
superseded lake versions once their grace period has passed.

A backup is retired when it disappears from the bucket or ages out of the window (`APOLLO_BACKUP_RETENTION_DAYS`,
unset = keep what the bucket keeps). The backup sensor calls `retire_backup` here, then removes its partition:
first its warehouse slices (rows with its backup id in the raw `lake.*` tables and in every dbt model, so that the
service no longer answers for it; on DuckDB the `lake` views stop naming its files), then its snapshot and lake
partitions. Each tick, the sensor also calls `sweep_lake`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake.resource import LakeResource
from apollo_assets.warehouse.interface import Warehouse

RETENTION_ENV = "APOLLO_BACKUP_RETENTION_DAYS"


@dataclass(frozen=True)
class RetentionPolicy:
    window: timedelta | None = None
    # A wrong bucket URL or a bulk deletion must not wipe the lake in one tick: retire a few per tick.
    max_retired_per_tick: int = 20

    def cutoff(self, now: datetime) -> str | None:
        """The oldest backup id still kept (ids are UTC timestamps, so they compare as times); None keeps all."""
        if self.window is None:
            return None
        return (now - self.window).strftime("%Y%m%dT%H%M%SZ")


def retention_from_env(environ: Mapping[str, str] | None = None) -> RetentionPolicy:
    environ = os.environ if environ is None else environ
    raw = environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return RetentionPolicy()
    days = float(raw)
    if days <= 0:
        raise ValueError(f"{RETENTION_ENV} must be a positive number of days, not {raw!r}")
    return RetentionPolicy(window=timedelta(days=days))


def purge_backup(lake: LakeResource, backup_id: str) -> list[str]:
    """Delete the backup's partition of every snapshot and lake dataset (quarantine files live inside them);
    other partitions are separate folders and are not touched. Returns the datasets that had data."""
    removed = []
    for collection in COLLECTIONS:
        for zone, dataset in (("snapshots", lake.snapshot(collection)), ("lake", lake.masked(collection))):
            if dataset.location.exists(dataset.partition_path(backup_id)):
                dataset.delete(backup_id)
                removed.append(f"{zone}/{collection}")
    return removed


def retire_backup(lake: LakeResource, warehouse: Warehouse, backup_id: str) -> tuple[dict[str, int], list[str]]:
    """Everything of a retired backup: its warehouse rows (per table), then its snapshot and lake partitions.
    In this order: a failure leaves the lake data in place, and the next attempt starts over."""
    rows = warehouse.retire_backup(lake, backup_id)
    return rows, purge_backup(lake, backup_id)


def sweep_lake(lake: LakeResource) -> dict[str, int]:
    """Delete the superseded (and abandoned) versions whose grace period has passed, in every snapshot and lake
    dataset; returns the versions still waiting, per dataset."""
    waiting = {}
    for collection in COLLECTIONS:
        for zone, dataset in (("snapshots", lake.snapshot(collection)), ("lake", lake.masked(collection))):
            left = dataset.sweep_pending()
            if left:
                waiting[f"{zone}/{collection}"] = sum(left.values())
    return waiting
