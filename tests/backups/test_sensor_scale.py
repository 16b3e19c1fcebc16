"""10,000 backups already in the bucket: one listing, one sensor evaluation and one tick of the real daemon see them
all, and request the oldest runs first. How long each takes against the daemon's limit: benchmarks/sensor.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.backups.manifest import MARKER
from apollo_assets.operations.backup_sensor import MAX_RUNS_PER_TICK, build_backup_sensor
from tests.backups.conftest import resources_for, tick

COUNT = 10_000

pytestmark = pytest.mark.integration  # 10,000 backups on disk and in the instance: too heavy for the unit loop


def backup_ids(count: int) -> list[str]:
    start = datetime(2025, 1, 1, 4, tzinfo=UTC)
    return [(start + timedelta(hours=i)).strftime("%Y%m%dT%H%M%SZ") for i in range(count)]


def write_markers(root: Path, ids: list[str]) -> None:
    """Empty backups (no data) whose markers exist: what the sensor lists is the same."""
    for backup_id in ids:
        (root / backup_id).mkdir(parents=True)
        (root / backup_id / MARKER).write_text(json.dumps({"backup_id": backup_id}))


def test_listing_10000_local_backups_is_one_pass(tmp_path):
    ids = backup_ids(COUNT)
    write_markers(tmp_path, ids)
    (tmp_path / "20990101T000000Z").mkdir()  # half-written: no marker
    assert BackupBucket.from_url(str(tmp_path)).complete_backup_ids() == ids


def test_one_evaluation_over_10000_backups_adds_them_all_and_requests_the_oldest(tmp_path, test_instance):
    ids = backup_ids(COUNT)
    write_markers(tmp_path / "backups", ids)
    sensor = build_backup_sensor("backup_pipeline")
    resources = resources_for(str(tmp_path / "backups"), tmp_path)
    result = tick(sensor, test_instance, resources)
    assert test_instance.get_dynamic_partitions("backups") == ids
    assert [r.run_key for r in result.run_requests] == ids[:MAX_RUNS_PER_TICK]  # oldest first, the rest later
    result = tick(sensor, test_instance, resources)
    assert [r.run_key for r in result.run_requests] == ids[MAX_RUNS_PER_TICK : 2 * MAX_RUNS_PER_TICK]


def test_one_daemon_tick_over_10000_backups(daemon, tmp_path):
    # The whole tick as the daemon runs it: evaluation, then the creation of each requested run.
    ids = backup_ids(COUNT)
    write_markers(tmp_path / "backups", ids)
    daemon.tick()
    assert daemon.instance.get_dynamic_partitions("backups") == ids
    assert daemon.run_keys() == ids[:MAX_RUNS_PER_TICK]
