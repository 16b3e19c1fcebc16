"""The backup sensor, one tick at a time: what counts as a backup, and what it asks for."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from apollo_assets.backups.manifest import MARKER
from apollo_assets.operations.backup_sensor import build_backup_sensor
from tests.backups.conftest import make_backup, resources_for, tick


@pytest.fixture
def sensor():
    return build_backup_sensor("backup_pipeline")


@pytest.fixture
def res(tmp_path):
    (tmp_path / "bucket").mkdir()
    return resources_for(str(tmp_path / "bucket"), tmp_path)


def run_keys(instance: dg.DagsterInstance) -> list[str]:
    return sorted(r.dagster_run.tags["dagster/run_key"] for r in instance.get_run_records())


def test_new_complete_backup_gives_one_run_and_one_partition(sensor, res, tmp_path, test_instance):
    make_backup(tmp_path / "bucket", "20261101T040000Z")
    result = tick(sensor, test_instance, res)
    assert [(r.run_key, r.partition_key) for r in result.run_requests] == [("20261101T040000Z", "20261101T040000Z")]
    assert test_instance.get_dynamic_partitions("backups") == ["20261101T040000Z"]

    assert isinstance(tick(sensor, test_instance, res), dg.SkipReason)
    assert run_keys(test_instance) == ["20261101T040000Z"]


def test_half_written_backup_is_ignored_until_its_marker_lands(sensor, res, tmp_path, test_instance):
    folder = make_backup(tmp_path / "bucket", "20261101T040000Z", complete=False)
    (tmp_path / "bucket" / "not-a-backup").mkdir()
    (tmp_path / "bucket" / ".20261102T040000Z.tmp").mkdir()  # a writer's staging folder
    (folder / f".{MARKER}.tmp").write_text("{")  # the marker, half-written aside

    assert isinstance(tick(sensor, test_instance, res), dg.SkipReason)
    assert test_instance.get_dynamic_partitions("backups") == []

    (folder / MARKER).write_text(json.dumps({"backup_id": "20261101T040000Z"}))
    assert [r.run_key for r in tick(sensor, test_instance, res).run_requests] == ["20261101T040000Z"]


def test_a_corrupt_marker_never_crashes_the_sensor(sensor, res, tmp_path, test_instance):
    # The sensor only needs to know that the marker exists; the run verifies the backup and fails with a message.
    make_backup(tmp_path / "bucket", "20261101T040000Z")
    (tmp_path / "bucket" / "20261101T040000Z" / MARKER).write_bytes(b"\x00\xff not json")
    result = tick(sensor, test_instance, res)
    assert [r.run_key for r in result.run_requests] == ["20261101T040000Z"]


def test_a_late_older_backup_is_not_missed(sensor, res, tmp_path, test_instance):
    make_backup(tmp_path / "bucket", "20261103T040000Z")
    tick(sensor, test_instance, res)
    make_backup(tmp_path / "bucket", "20261102T040000Z")  # uploaded late, older than the newest one
    result = tick(sensor, test_instance, res)
    assert [r.run_key for r in result.run_requests] == ["20261102T040000Z"]
    assert test_instance.get_dynamic_partitions("backups") == ["20261103T040000Z", "20261102T040000Z"]


def test_a_partition_whose_run_was_never_created_gets_its_run(sensor, res, tmp_path, test_instance):
    # The daemon died after adding the partition and before creating the run: the next tick makes up for it.
    make_backup(tmp_path / "bucket", "20261101T040000Z")
    test_instance.add_dynamic_partitions("backups", ["20261101T040000Z"])
    result = tick(sensor, test_instance, res)
    assert [r.run_key for r in result.run_requests] == ["20261101T040000Z"]
    assert not result.dynamic_partitions_requests


def test_a_backlog_is_drained_oldest_first_a_capped_number_per_tick(res, tmp_path, test_instance):
    ids = [f"202611{d:02d}T040000Z" for d in range(1, 8)]
    for backup_id in ids:
        make_backup(tmp_path / "bucket", backup_id)
    sensor = build_backup_sensor("backup_pipeline", max_runs_per_tick=3)
    batches = [[r.run_key for r in tick(sensor, test_instance, res).run_requests] for _ in range(3)]
    assert batches == [ids[:3], ids[3:6], ids[6:]]
    assert test_instance.get_dynamic_partitions("backups") == ids  # all partitions at once: the UI shows them
    assert isinstance(tick(sensor, test_instance, res), dg.SkipReason)
