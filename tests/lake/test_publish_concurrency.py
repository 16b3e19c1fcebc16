"""Two writers of one partition, readers holding a version across a publish, and the grace period: the pointer
never names a deleted folder, and no writer's version is deleted while a reader may still hold it."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.lake.datasets import POINTER, PublishConflictError
from apollo_assets.lake.pointer import MISSING, LocalPointers

SCHEMA = pa.schema([("id", pa.int64()), ("writer", pa.string())])
BACKUP = "20260101T000000Z"
ROUNDS = 60


def rows(writer: str, n: int = 3) -> pa.RecordBatch:
    return pa.record_batch([pa.array(range(n)), pa.array([writer] * n)], schema=SCHEMA)


def dataset_at(root: Path) -> PartitionedDataset:
    return PartitionedDataset(open_location(str(root)), "people")


def pointer_state(dataset: PartitionedDataset, backup_id: str) -> dict:
    return json.loads(dataset.location.read_bytes(f"{dataset.partition_path(backup_id)}/{POINTER}"))


def publish_after(barrier, root: Path, backup_id: str, writer: str) -> str:
    """Stage a version, wait for the other writer, publish; returns the version."""
    dataset = dataset_at(root)
    with dataset.writer(backup_id, SCHEMA) as staged:
        staged.write(rows(writer))
        barrier.wait()
    return staged.version


def assert_both_versions_survive(dataset: PartitionedDataset, backup_id: str, versions: set[str]) -> None:
    current = dataset.current(backup_id)
    assert current.version in versions
    assert dataset.read(backup_id).num_rows == 3  # the pointer names a folder that holds its files
    for version in versions:  # the other writer's version is superseded, not gone: readers may hold it
        assert Path(dataset.version_path(backup_id, version)).is_dir()
    assert set(pointer_state(dataset, backup_id)["retired"]) == versions - {current.version}


def test_two_threads_publishing_one_partition_never_lose_both_versions(tmp_path):
    for round_ in range(ROUNDS):
        backup_id = f"202601{1 + round_ // 24:02d}T{round_ % 24:02d}0000Z"  # a fresh partition: the first publish
        barrier = threading.Barrier(2)
        found: dict[str, str] = {}

        def run(writer: str, backup_id=backup_id, barrier=barrier, found=found) -> None:
            found[writer] = publish_after(barrier, tmp_path, backup_id, writer)

        threads = [threading.Thread(target=run, args=(w,)) for w in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(found) == {"a", "b"}, f"round {round_}: a writer failed"
        assert_both_versions_survive(dataset_at(tmp_path), backup_id, set(found.values()))


def _process_writer(root: str, writer: str, barrier, results) -> None:
    for round_ in range(ROUNDS):
        # Each partition twice: its first publish, then one over an existing version.
        backup_id = f"20260101T00{round_ // 120:02d}{round_ // 2 % 60:02d}Z"
        results.put((round_, backup_id, writer, publish_after(barrier, Path(root), backup_id, writer)))


@pytest.mark.integration  # two processes
def test_two_processes_publishing_one_partition_never_lose_both_versions(tmp_path):
    context = mp.get_context("spawn")
    barrier, results = context.Barrier(2, timeout=120), context.Queue()
    workers = [context.Process(target=_process_writer, args=(str(tmp_path), w, barrier, results)) for w in "ab"]
    for worker in workers:
        worker.start()
    published: dict[str, set[str]] = {}
    try:
        while sum(len(v) for v in published.values()) < 2 * ROUNDS:
            try:
                _, backup_id, _, version = results.get(timeout=1)
            except queue.Empty:
                assert all(w.exitcode in (None, 0) for w in workers), "a writer process failed"
                continue
            published.setdefault(backup_id, set()).add(version)
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
    dataset = dataset_at(tmp_path)
    for backup_id, versions in published.items():
        current = dataset.current(backup_id)
        assert current.version in versions and dataset.read(backup_id).num_rows == 3
        for version in versions:
            assert Path(dataset.version_path(backup_id, version)).is_dir()


def test_a_staged_version_survives_another_writers_publish(tmp_path):
    dataset = dataset_at(tmp_path)
    with dataset.writer(BACKUP, SCHEMA) as slow:
        slow.write(rows("slow"))
        dataset.write(BACKUP, SCHEMA, [rows("fast")])  # publishes while the slow writer is still staging
    assert dataset.read(BACKUP).column("writer").to_pylist() == ["slow"] * 3
    assert len(pointer_state(dataset, BACKUP)["retired"]) == 1  # the fast version, kept for its readers


def test_a_reader_keeps_its_files_across_a_publish_until_the_grace_period_ends(tmp_path):
    dataset = dataset_at(tmp_path)
    first = dataset.write(BACKUP, SCHEMA, [rows("first")])
    held = dataset.files(BACKUP)  # a reader resolved the pointer, and has not opened the files yet

    second = dataset.write(BACKUP, SCHEMA, [rows("second")])
    assert dataset.current(BACKUP).version == second.version
    table = pa.concat_tables(pq.read_table(path) for path in held)
    assert table.column("writer").to_pylist() == ["first"] * 3
    assert dataset.pending_sweeps() == [BACKUP]

    assert dataset.sweep_pending() == {BACKUP: 1}  # within the grace period: nothing deleted
    assert Path(dataset.version_path(BACKUP, first.version)).is_dir()

    later = datetime.now(UTC) + dataset.grace + timedelta(seconds=1)
    assert dataset.sweep_pending(now=later) == {}
    assert not Path(dataset.version_path(BACKUP, first.version)).exists()
    assert pointer_state(dataset, BACKUP)["retired"] == {}
    assert dataset.pending_sweeps() == []
    assert dataset.read(BACKUP).column("writer").to_pylist() == ["second"] * 3


def test_a_version_left_idle_past_the_grace_period_is_retired_and_can_no_longer_be_published(tmp_path):
    dataset = dataset_at(tmp_path)
    dataset.write(BACKUP, SCHEMA, [rows("first")])
    stalled = dataset.stage(BACKUP, SCHEMA)  # a writer that hangs (or died) mid-write
    stalled.write(rows("stalled"))
    stalled.close()
    idle = time.time() - dataset.grace.total_seconds() - 60
    for path in [*Path(stalled.folder).iterdir(), Path(stalled.folder)]:
        os.utime(path, (idle, idle))

    assert dataset.sweep_pending() == {}  # retired at once (idle past the grace period), then deleted
    assert not Path(stalled.folder).exists()
    with pytest.raises(PublishConflictError, match="retired before it was published"):
        stalled.publish()
    assert dataset.read(BACKUP).column("writer").to_pylist() == ["first"] * 3


def test_a_swap_with_a_stale_token_changes_nothing(tmp_path):
    pointers, path = LocalPointers(), str(tmp_path / "p.json")
    assert pointers.swap(path, b"one", MISSING)
    assert not pointers.swap(path, b"two", MISSING)  # it exists now
    _, token = pointers.read(path)
    assert pointers.swap(path, b"three", token)
    assert not pointers.swap(path, b"four", token)  # replaced since that token was read
    assert pointers.read(path)[0] == b"three"
