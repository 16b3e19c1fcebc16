"""Cutting a collection into parts, and merging what the parts' scans saw, change nothing in the result."""

from __future__ import annotations

from itertools import pairwise

import bson
import pytest

from apollo_assets.ingest.parts import PIECE_BYTES, PartsSource, guided_groups, piece_count, split_file
from apollo_assets.mongo.passes import scan_source
from apollo_assets.mongo.schema import arrow_schema, infer_plan
from tests.mongo.helpers import encode, source_of, write_dump


@pytest.mark.parametrize("pieces", [1, 2, 3, 7])
def test_parts_hold_every_document_once_at_its_own_offset(people_dump, pieces):
    path = people_dump / "people.bson"
    parts = split_file(path, pieces)
    assert len(parts) == pieces and parts[0].start == 0 and parts[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in pairwise(parts))
    whole = list(source_of(path, "people").documents())
    cut = [d for part in parts for d in PartsSource("people", [part]).documents()]
    assert cut == whole  # same bytes, same locations (file and offset)


def test_guided_groups_keep_the_order_and_shrink_towards_the_end(people_dump):
    parts = split_file(people_dump / "people.bson", 64)
    groups = guided_groups(parts, 2)
    assert [p for g in groups for p in g] == parts
    assert [len(g) for g in groups] == [16, 12, 9, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1]
    assert [len(g) for g in guided_groups(parts[:3], 3)] == [1, 1, 1]  # one part per worker: a group each
    assert guided_groups(parts, 1) == [parts]


@pytest.mark.parametrize(
    ("size", "workers", "pieces"),
    [(10**9, 1, 1), (10, 2, 2), (3 * PIECE_BYTES, 2, 3), (100 * PIECE_BYTES, 2, 64), (100 * PIECE_BYTES, 3, 96)],
)
def test_pieces_are_never_small_and_at_most_32_per_worker(size, workers, pieces):
    assert piece_count(size, workers) == pieces


def _docs(i: int) -> dict:
    # Fields appear, drift and go dynamic at different places, so that parts see different things.
    doc: dict = {"_id": i, "n": i if i < 40 else float(i) + 0.5, "sub": {f"k{i % 60}": i}}
    if i > 70:
        doc["late"] = "x" if i % 2 else 3
    return doc


@pytest.mark.parametrize("pieces", [2, 3, 5])
def test_merged_scans_of_parts_plan_what_one_scan_plans(tmp_path, pieces):
    path = write_dump(tmp_path, "things", [_docs(i) for i in range(100)])
    whole = scan_source(source_of(path))
    scans = [scan_source(PartsSource("things", [p])) for p in split_file(path, pieces)]
    merged = scans[0].stats
    for scan in scans[1:]:
        merged.merge(scan.stats)
    expected, notes = infer_plan(whole.stats)
    got, got_notes = infer_plan(merged)
    assert arrow_schema(got).equals(arrow_schema(expected), check_metadata=True)
    assert got_notes == notes and "sub" in notes.as_text and set(notes.drift) == {"late"}
    assert arrow_schema(got).field("n").type == "double"  # ints with doubles: float64, not drift


def test_a_bad_frame_is_still_reported_with_its_offset(tmp_path):
    path = tmp_path / "bad.bson"
    path.write_bytes(encode({"a": 1}) * 3 + b"\x02\x00\x00\x00")
    from apollo_assets.mongo import BackupFormatError

    with pytest.raises(BackupFormatError, match=f"{path} at byte offset {3 * len(bson.encode({'a': 1}))}"):
        [p for part in split_file(path, 2) for p in PartsSource("x", [part]).documents()]


@pytest.mark.parametrize("tail", [b"", b"\x01\x02", b"\x02\x00\x00\x00"])
def test_cutting_in_short_hops_finds_the_cuts_of_one_long_hop(tmp_path, monkeypatch, tail):
    path = tmp_path / "many.bson"
    path.write_bytes(b"".join(encode({"_id": i, "pad": "x" * (i % 50)}) for i in range(3000)) + tail)
    whole = split_file(path, 7)
    monkeypatch.setattr("apollo_assets.ingest.parts.HOP_BYTES", 100)  # a hop of ~2 documents at a time
    assert split_file(path, 7) == whole and len(whole) == 7 and whole[-1].end == path.stat().st_size
