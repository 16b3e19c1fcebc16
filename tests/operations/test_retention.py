"""A backup deleted from the bucket, or older than the window, loses its partition and its data through the sensor;
every other backup keeps both."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import dagster as dg
import pyarrow as pa
import pytest

from apollo_assets.collections import COLLECTIONS
from apollo_assets.operations.backup_sensor import build_backup_sensor
from apollo_assets.operations.retention import RetentionPolicy, retention_from_env
from tests.backups.conftest import make_backup, resources_for, tick

OLD, KEPT = "20261101T040000Z", "20261102T040000Z"
TABLE = pa.table({"_id": ["a", "b"], "_backup_id": ["x", "x"]})


@pytest.fixture
def platform(tmp_path, test_instance):
    """Two processed backups: bucket folders, partitions, runs, and data in the snapshot zone and the lake."""
    bucket = tmp_path / "backups"
    for backup_id in (OLD, KEPT):
        make_backup(bucket, backup_id)
    resources = resources_for(str(bucket), tmp_path)
    tick(build_backup_sensor("backup_pipeline"), test_instance, resources)
    lake = resources["lake"]
    for collection in COLLECTIONS:
        for dataset in (lake.snapshot(collection), lake.masked(collection)):
            for backup_id in (OLD, KEPT):
                dataset.write(backup_id, TABLE.schema, TABLE.to_batches())
    return bucket, resources, test_instance


def data_of(resources, backup_id: str) -> dict[str, int]:
    lake = resources["lake"]
    datasets = [lake.snapshot(c) for c in COLLECTIONS] + [lake.masked(c) for c in COLLECTIONS]
    return {f"{d.location.root}/{d.name}": d.read(backup_id).num_rows for d in datasets if backup_id in d.partitions()}


def test_a_backup_deleted_from_the_bucket_is_retired(platform):
    bucket, resources, instance = platform
    kept_before = data_of(resources, KEPT)
    assert len(kept_before) == 2 * len(COLLECTIONS) and len(data_of(resources, OLD)) == 2 * len(COLLECTIONS)
    shutil.rmtree(bucket / OLD)

    result = tick(build_backup_sensor("backup_pipeline"), instance, resources)

    assert not result.run_requests
    assert instance.get_dynamic_partitions("backups") == [KEPT]
    assert data_of(resources, OLD) == {}
    assert data_of(resources, KEPT) == kept_before  # the other backup, partition and data, untouched


def test_a_backup_older_than_the_window_is_retired_and_never_run(platform, tmp_path):
    bucket, resources, instance = platform
    make_backup(bucket, "20261030T040000Z")  # lands late, already outside the window
    now = datetime(2026, 11, 2, 12, tzinfo=UTC)
    window = RetentionPolicy(window=now - datetime(2026, 11, 2, tzinfo=UTC) + timedelta(hours=1))
    sensor = build_backup_sensor("backup_pipeline", retention=window)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("apollo_assets.operations.backup_sensor.datetime", _frozen(now))
        result = tick(sensor, instance, resources)

    assert not result.run_requests
    assert instance.get_dynamic_partitions("backups") == [KEPT]
    assert data_of(resources, OLD) == {} and len(data_of(resources, KEPT)) == 2 * len(COLLECTIONS)
    assert (bucket / OLD).exists()  # retention removes what the platform made, never the backups themselves


def test_an_empty_listing_retires_nothing(platform):
    bucket, resources, instance = platform
    shutil.rmtree(bucket)  # a wrong URL, or an outage, looks like this
    result = tick(build_backup_sensor("backup_pipeline"), instance, resources)
    assert isinstance(result, dg.SkipReason)
    assert instance.get_dynamic_partitions("backups") == [OLD, KEPT]
    assert len(data_of(resources, OLD)) == 2 * len(COLLECTIONS)


def test_a_backup_in_use_is_retired_once_its_run_ends(platform):
    bucket, resources, instance = platform
    busy = dg.DagsterRun(
        job_name="backup_pipeline", tags={"dagster/partition": OLD}, status=dg.DagsterRunStatus.STARTED
    )
    instance.add_run(busy)
    shutil.rmtree(bucket / OLD)

    tick(build_backup_sensor("backup_pipeline"), instance, resources)
    assert instance.get_dynamic_partitions("backups") == [OLD, KEPT]
    assert len(data_of(resources, OLD)) == 2 * len(COLLECTIONS)

    instance.report_run_failed(busy)
    tick(build_backup_sensor("backup_pipeline"), instance, resources)
    assert instance.get_dynamic_partitions("backups") == [KEPT]
    assert data_of(resources, OLD) == {}


def test_the_window_comes_from_the_environment():
    assert retention_from_env({}).window is None
    assert retention_from_env({"APOLLO_BACKUP_RETENTION_DAYS": "30"}).window == timedelta(days=30)
    assert RetentionPolicy(window=timedelta(days=1)).cutoff(datetime(2026, 11, 2, 4, tzinfo=UTC)) == OLD
    with pytest.raises(ValueError, match="positive number of days"):
        retention_from_env({"APOLLO_BACKUP_RETENTION_DAYS": "0"})


def _frozen(now: datetime) -> type:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # the sensor asks for UTC now
            return now

    return Frozen
