"""How many worker processes a collection gets, when their server starts, and how they share its groups."""

from __future__ import annotations

import os

import pytest

from apollo_assets.ingest import pool
from apollo_assets.ingest.collection import BYTES_PER_WORKER, auto_workers, needs_workers
from apollo_assets.mongo.dump_dir import DumpCollection

CPUS = os.process_cpu_count() or 1


SIZES = [(0, 1), (BYTES_PER_WORKER - 1, 1), (3 * BYTES_PER_WORKER, min(3, CPUS))]


@pytest.mark.parametrize(("size", "expected"), SIZES)
def test_one_worker_per_32_mb_at_most_one_per_cpu(size, expected):
    assert auto_workers(size) == expected


def test_the_worker_server_starts_early_only_when_workers_will_be_needed(tmp_path):
    small, big = tmp_path / "small.bson", tmp_path / "big.bson"
    small.write_bytes(b"")
    with big.open("wb") as f:  # sparse: its size is what counts
        f.truncate(2 * BYTES_PER_WORKER)
    assert needs_workers(DumpCollection("x", {}, small), 2)
    assert not needs_workers(DumpCollection("x", {}, big), 1)
    assert not needs_workers(DumpCollection("x", {}, small), 0)
    assert needs_workers(DumpCollection("x", {}, big), 0) == (CPUS > 1)


def _record(group: str, seen: list[str]) -> str:
    if group == "bad":
        raise ValueError("cannot read this group")
    seen.append(group)
    return group.upper()


def test_each_group_is_claimed_once_and_an_error_stops_the_claims():
    pool.install(*pool.shared_counters(4))
    seen: list[str] = []
    assert pool.run_claimed(_record, ["a", "b", "c"], seen) == [(0, "A"), (1, "B"), (2, "C")]
    assert pool.run_claimed(_record, ["a", "b", "c"], seen) == []  # nothing left to claim
    assert seen == ["a", "b", "c"]
    with pytest.raises(ValueError, match="cannot read"):
        pool.claimed_everywhere(["a", "bad", "c", "d"], None, _record, seen)
    assert seen == ["a", "b", "c", "a"]  # after the error, no process claims "c" or "d"
    assert pool.run_claimed(_record, ["a", "bad", "c", "d"], seen) == []
