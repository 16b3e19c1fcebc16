"""10,000 backups already in the bucket: one tick of the real daemon sees them all, well within its time limit."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apollo_assets.backups.bucket import BackupBucket
from apollo_assets.backups.manifest import MARKER
from apollo_assets.backups.sensor import MAX_RUNS_PER_TICK, build_backup_sensor
from tests.backups.conftest import resources_for, tick

COUNT = 10_000
TICK_LIMIT = 60  # the daemon's default time limit for one sensor evaluation
BUDGET = TICK_LIMIT / 4  # "well under": a shared 2-core machine must still pass


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
    started = time.perf_counter()
    listed = BackupBucket.from_url(str(tmp_path)).complete_backup_ids()
    elapsed = time.perf_counter() - started
    assert listed == ids
    assert elapsed < 5, f"listing took {elapsed:.1f}s"


def test_one_evaluation_over_10000_backups_fits_the_tick_limit(tmp_path, test_instance):
    # The limit bounds the evaluation of the sensor in the code server: listing, bookkeeping, adding partitions.
    ids = backup_ids(COUNT)
    write_markers(tmp_path / "backups", ids)
    sensor = build_backup_sensor("backup_pipeline")
    resources = resources_for(str(tmp_path / "backups"), tmp_path)
    started = time.perf_counter()
    result = tick(sensor, test_instance, resources)
    first = time.perf_counter() - started
    assert test_instance.get_dynamic_partitions("backups") == ids
    assert [r.run_key for r in result.run_requests] == ids[:MAX_RUNS_PER_TICK]  # oldest first, the rest later
    started = time.perf_counter()
    result = tick(sensor, test_instance, resources)
    second = time.perf_counter() - started
    assert [r.run_key for r in result.run_requests] == ids[MAX_RUNS_PER_TICK : 2 * MAX_RUNS_PER_TICK]
    print(f"\n10,000 backups: evaluations {first:.1f}s then {second:.1f}s (limit {TICK_LIMIT}s)")
    assert first < BUDGET and second < BUDGET, (first, second)


def test_one_daemon_tick_over_10000_backups(daemon, tmp_path):
    # The whole tick as the daemon runs it: evaluation, then the creation of each requested run.
    ids = backup_ids(COUNT)
    write_markers(tmp_path / "backups", ids)
    elapsed = daemon.tick()
    assert daemon.instance.get_dynamic_partitions("backups") == ids
    assert daemon.run_keys() == ids[:MAX_RUNS_PER_TICK]
    print(f"\n10,000 backups: daemon tick {elapsed:.1f}s")
    assert elapsed < TICK_LIMIT / 2
