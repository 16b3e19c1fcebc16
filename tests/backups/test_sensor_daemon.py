"""The backup sensor under the real sensor daemon: restarts, cursor resets and crashes between a tick's steps
never run a backup twice nor skip one."""

from __future__ import annotations

import dagster as dg

from tests.backups.conftest import make_backup


def test_restarts_and_cursor_resets_never_run_a_backup_twice(daemon, tmp_path):
    bucket = tmp_path / "backups"
    make_backup(bucket, "20261101T040000Z")
    make_backup(bucket, "20261102T040000Z")
    daemon.tick()
    assert daemon.run_keys() == ["20261101T040000Z", "20261102T040000Z"]
    assert all(r.dagster_run.status == dg.DagsterRunStatus.QUEUED for r in daemon.instance.get_run_records())

    daemon.tick()  # a restarted daemon: new process, same instance
    assert daemon.state().instigator_data.cursor == "20261102T040000Z"
    daemon.reset_cursor()
    daemon.tick()
    assert daemon.run_keys() == ["20261101T040000Z", "20261102T040000Z"]

    make_backup(bucket, "20261103T040000Z")
    daemon.reset_cursor()
    daemon.tick()
    assert daemon.run_keys() == ["20261101T040000Z", "20261102T040000Z", "20261103T040000Z"]
    assert daemon.instance.get_dynamic_partitions("backups") == [
        "20261101T040000Z",
        "20261102T040000Z",
        "20261103T040000Z",
    ]


def test_a_tick_that_died_after_adding_partitions_is_made_up(daemon, tmp_path):
    make_backup(tmp_path / "backups", "20261101T040000Z")
    make_backup(tmp_path / "backups", "20261102T040000Z")
    # What a daemon killed between the partition requests and the run submissions leaves behind.
    daemon.instance.add_dynamic_partitions("backups", ["20261101T040000Z", "20261102T040000Z"])
    daemon.tick()
    assert daemon.run_keys() == ["20261101T040000Z", "20261102T040000Z"]
    daemon.tick()
    assert daemon.run_keys() == ["20261101T040000Z", "20261102T040000Z"]
