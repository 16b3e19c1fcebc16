"""Through the real sensor daemon: a retry and a restored backup get runs of their own, which the daemon creates
(a run key it made before would be refused)."""

from __future__ import annotations

import shutil

import dagster as dg

from tests.backups.conftest import make_backup

BACKUP = "20261101T040000Z"


def runs(daemon) -> list[tuple[str, str, str]]:
    """(run key, attempt, status) of every run, oldest first."""
    records = reversed(daemon.instance.get_run_records())
    return [
        (r.dagster_run.tags["dagster/run_key"], r.dagster_run.tags["apollo/attempt"], r.dagster_run.status.value)
        for r in records
    ]


def fail_all(daemon) -> None:
    for record in daemon.instance.get_run_records():
        if record.dagster_run.status == dg.DagsterRunStatus.QUEUED:
            daemon.instance.report_run_failed(record.dagster_run)


def test_the_daemon_creates_each_retry_then_stops(daemon, tmp_path):
    make_backup(tmp_path / "backups", BACKUP)
    daemon.tick()
    for _ in range(4):
        fail_all(daemon)
        daemon.tick()
    assert runs(daemon) == [
        (BACKUP, "1", "FAILURE"),
        (f"{BACKUP}:1", "2", "FAILURE"),
        (f"{BACKUP}:2", "3", "FAILURE"),
        (f"{BACKUP}:3", "4", "FAILURE"),
    ]  # the first run and three retries (the default), then no more
    daemon.tick()
    assert len(runs(daemon)) == 4


def test_the_daemon_runs_a_restored_backup_again(daemon, tmp_path):
    folder = make_backup(tmp_path / "backups", BACKUP)
    make_backup(tmp_path / "backups", "20261102T040000Z")
    daemon.tick()
    (run,) = daemon.instance.get_run_records(dg.RunsFilter(tags={"dagster/partition": BACKUP}))
    daemon.instance.report_run_failed(run.dagster_run)  # ended (runs only queue in these tests): it may be retired
    shutil.move(folder, tmp_path / "aside")
    daemon.tick()
    assert daemon.instance.get_dynamic_partitions("backups") == ["20261102T040000Z"]

    shutil.move(tmp_path / "aside", folder)
    daemon.tick()
    assert sorted(daemon.instance.get_dynamic_partitions("backups")) == [BACKUP, "20261102T040000Z"]
    assert sorted(key for key, _, _ in runs(daemon)) == [BACKUP, f"{BACKUP}:1", "20261102T040000Z"]
