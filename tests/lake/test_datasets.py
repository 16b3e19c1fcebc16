from __future__ import annotations

import os
import time

import pyarrow as pa
import pytest

from apollo_assets.lake import PartitionedDataset, PartitionNotFoundError, open_location

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


def batch(start: int, n: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(range(start, start + n)), pa.array([f"n{i}" for i in range(n)])], schema=SCHEMA)


@pytest.fixture
def dataset(tmp_path) -> PartitionedDataset:
    return PartitionedDataset(open_location(str(tmp_path / "lake")), "people")


def test_written_partition_reads_back(dataset):
    info = dataset.write("20260101T000000Z", SCHEMA, [batch(0, 3), batch(3, 2)])
    assert info.rows == 5
    assert dataset.read("20260101T000000Z").column("id").to_pylist() == [0, 1, 2, 3, 4]
    assert dataset.partitions() == ["20260101T000000Z"]


def test_empty_partition_is_committed_and_readable(dataset):
    dataset.write("20260101T000000Z", SCHEMA, [])
    table = dataset.read("20260101T000000Z")
    assert table.num_rows == 0 and table.schema == SCHEMA


def test_failure_midway_keeps_previous_version_and_leaves_nothing_behind(dataset, tmp_path):
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 2)])

    def exploding():
        yield batch(100, 2)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        dataset.write("20260101T000000Z", SCHEMA, exploding())
    assert dataset.read("20260101T000000Z").column("id").to_pylist() == [0, 1]
    versions = [p.name for p in (tmp_path / "lake/people/backup_id=20260101T000000Z").iterdir() if p.is_dir()]
    assert len(versions) == 1


def test_hard_crash_version_is_invisible_and_swept_by_a_commit_after_the_grace_period(dataset, tmp_path):
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 2)])
    # A process killed mid-write leaves a version folder but never the pointer to it.
    orphan = tmp_path / "lake/people/backup_id=20260101T000000Z/v=deadbeef"
    orphan.mkdir()
    (orphan / "part-0000.parquet").write_bytes(b"PAR1 half written")
    assert dataset.read("20260101T000000Z").num_rows == 2
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 3)])
    assert orphan.exists()  # written a moment ago: its writer may still be alive

    idle = time.time() - dataset.grace.total_seconds() - 60
    for path in (orphan / "part-0000.parquet", orphan):
        os.utime(path, (idle, idle))
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 4)])
    assert not orphan.exists()
    assert dataset.read("20260101T000000Z").num_rows == 4


def test_never_committed_partition_is_not_listed_and_raises(dataset, tmp_path):
    (tmp_path / "lake/people/backup_id=20260102T000000Z/v=abc").mkdir(parents=True)
    assert dataset.partitions() == []
    with pytest.raises(PartitionNotFoundError, match="20260102T000000Z"):
        dataset.files("20260102T000000Z")


def test_rewriting_one_partition_leaves_the_other_untouched(dataset, tmp_path):
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 2)])
    dataset.write("20260102T000000Z", SCHEMA, [batch(10, 2)])
    other = tmp_path / "lake/people/backup_id=20260102T000000Z"
    before = {p: p.stat().st_mtime_ns for p in other.rglob("*")}
    dataset.write("20260101T000000Z", SCHEMA, [batch(0, 4)])
    assert {p: p.stat().st_mtime_ns for p in other.rglob("*")} == before
    assert dataset.read("20260101T000000Z").num_rows == 4


def test_side_files_are_published_with_the_version(dataset):
    with dataset.writer("20260101T000000Z", SCHEMA) as writer:
        writer.write(batch(0, 1))
        writer.add_file("quarantine.jsonl", b'{"location": "x"}')
    path = dataset.extra_path("20260101T000000Z", "quarantine.jsonl")
    assert dataset.location.read_bytes(path) == b'{"location": "x"}'
