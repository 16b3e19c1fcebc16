from __future__ import annotations

import json

import dagster as dg
import pytest

from apollo_assets.backups.manifest import MARKER
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.backups.sensor import build_backup_sensor


def make_backup(bucket, backup_id: str, complete: bool = True) -> None:
    folder = bucket / backup_id / "apollo"
    folder.mkdir(parents=True)
    (folder / "people.bson").write_bytes(b"")
    if complete:
        marker = {"backup_id": backup_id, "database": "apollo", "format": "directory", "collections": {}}
        (bucket / backup_id / MARKER).write_text(json.dumps(marker))


@pytest.fixture
def sensor():
    return build_backup_sensor("pipeline")


def tick(sensor, instance, bucket):
    resources = {"backup_bucket": BackupBucketResource(url=str(bucket))}
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = sensor(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_new_complete_backup_gives_one_run_and_one_partition(sensor, tmp_path):
    make_backup(tmp_path, "20261101T040000Z")
    with dg.instance_for_test() as instance:
        result = tick(sensor, instance, tmp_path)
        assert [r.run_key for r in result.run_requests] == ["20261101T040000Z"]
        assert [r.partition_key for r in result.run_requests] == ["20261101T040000Z"]
        assert instance.get_dynamic_partitions("backups") == ["20261101T040000Z"]

        again = tick(sensor, instance, tmp_path)
        assert isinstance(again, dg.SkipReason)
        assert instance.get_dynamic_partitions("backups") == ["20261101T040000Z"]


def test_incomplete_backup_is_ignored_until_its_marker_lands(sensor, tmp_path):
    make_backup(tmp_path, "20261101T040000Z", complete=False)
    (tmp_path / "not-a-backup").mkdir()
    with dg.instance_for_test() as instance:
        assert isinstance(tick(sensor, instance, tmp_path), dg.SkipReason)
        assert instance.get_dynamic_partitions("backups") == []
        marker = {"backup_id": "x", "database": "apollo", "format": "directory", "collections": {}}
        (tmp_path / "20261101T040000Z" / MARKER).write_text(json.dumps(marker))
        assert [r.run_key for r in tick(sensor, instance, tmp_path).run_requests] == ["20261101T040000Z"]


def test_only_the_newer_backup_is_requested(sensor, tmp_path):
    make_backup(tmp_path, "20261101T040000Z")
    with dg.instance_for_test() as instance:
        tick(sensor, instance, tmp_path)
        make_backup(tmp_path, "20261102T040000Z")
        result = tick(sensor, instance, tmp_path)
        assert [r.run_key for r in result.run_requests] == ["20261102T040000Z"]
        assert instance.get_dynamic_partitions("backups") == ["20261101T040000Z", "20261102T040000Z"]
