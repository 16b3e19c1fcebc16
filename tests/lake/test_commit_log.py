"""The stream's commit log: offsets and files published together, one winner per start offset, a checked chain."""

from __future__ import annotations

import threading

import pytest

from apollo_assets.lake.commit_log import BrokenChain, CommitConflict, DataFile, OffsetCommit, OffsetCommitLog
from apollo_assets.storage import open_location


def _commit(start: int, end: int, files=()) -> OffsetCommit:
    return OffsetCommit(partition=0, start=start, end=end, files=list(files), rows=end - start)


def test_the_next_offset_is_where_the_last_commit_ended(tmp_path):
    log = OffsetCommitLog(open_location(str(tmp_path)), "stream/t")
    assert log.next_offset(0) is None and log.partitions() == []
    log.append(_commit(0, 100, [DataFile("hour=2026-11-30T00/p0-a.parquet", "2026-11-30T00", 100, 1)]))
    log.append(_commit(100, 250))
    assert log.next_offset(0) == 250 and log.partitions() == [0]
    assert [c.start for c in log.commits(0)] == [0, 100]
    assert log.files() == [f"{tmp_path}/stream/t/hour=2026-11-30T00/p0-a.parquet"]


def test_two_writers_continuing_from_one_offset_have_exactly_one_winner(tmp_path):
    log = OffsetCommitLog(open_location(str(tmp_path)), "stream/t")
    outcomes, barrier = [], threading.Barrier(8)

    def write(end: int) -> None:
        barrier.wait()
        try:
            log.append(_commit(0, end))
            outcomes.append(end)
        except CommitConflict:
            outcomes.append(None)

    threads = [threading.Thread(target=write, args=(100 + i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o is not None]
    assert len(winners) == 1 and log.next_offset(0) == winners[0]
    assert not [p for p in (tmp_path / "stream/t/_commits/partition=0").iterdir() if p.name.startswith(".")]


def test_a_gap_in_the_chain_is_reported(tmp_path):
    log = OffsetCommitLog(open_location(str(tmp_path)), "stream/t")
    log.append(_commit(0, 100))
    log.append(_commit(150, 200))
    with pytest.raises(BrokenChain, match="ends at 100, the next starts at 150"):
        log.commits(0)


def test_files_no_commit_names_are_orphans(tmp_path):
    log = OffsetCommitLog(open_location(str(tmp_path)), "stream/t")
    named = log.data_file_name("2026-11-30T00", 0, 0, 100)
    log.append(_commit(0, 100, [DataFile(named, "2026-11-30T00", 100, 1)]))
    for name in (named, log.data_file_name("2026-11-30T00", 0, 100, 200), log.data_file_name("2026-11-30T01", 1, 0, 9)):
        (tmp_path / "stream/t" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "stream/t" / name).write_bytes(b"x")
    assert log.orphans(0, 100) == [f"{tmp_path}/stream/t/hour=2026-11-30T00/p0-{100:020d}-{200:020d}.parquet"]
