"""A code location for the daemon tests: the real backup sensor and partitions, a stub job (nothing runs: the test
instance only queues), the bucket and data dir from the environment the test sets."""

import os
from datetime import timedelta

import dagster as dg

from apollo_assets.backups.attempts import RunRetries
from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.lake.resource import LakeResource
from apollo_assets.operations.backup_sensor import build_backup_sensor
from apollo_assets.warehouse.resource import DuckDBWarehouse


@dg.asset(key=["mongo", "people"], partitions_def=backup_partitions)
def people() -> None:
    """Stands for the pipeline: these tests are about which runs the daemon creates, not what they do."""


@dg.definitions
def defs() -> dg.Definitions:
    # Loaded at each daemon start (not at import): every test has its own data dir.
    data_dir = os.environ["APOLLO_TEST_DATA_DIR"]
    return dg.Definitions(
        assets=[people],
        jobs=[dg.define_asset_job("backup_pipeline", selection=dg.AssetSelection.all())],
        # No delay before a retry: the daemon's clock is frozen between ticks.
        sensors=[build_backup_sensor("backup_pipeline", retries=RunRetries(delay=timedelta(0)))],
        resources={
            "backup_bucket": BackupBucketResource(url=f"{data_dir}/backups"),
            "lake": LakeResource(snapshot_url=f"{data_dir}/snapshots", lake_url=f"{data_dir}/lake"),
            "warehouse": DuckDBWarehouse(path=f"{data_dir}/warehouse.duckdb", dbt_manifest=f"{data_dir}/manifest.json"),
        },
    )
