"""Documents that cannot be read are quarantined with their location, error and bytes; the rest convert."""

from __future__ import annotations

import struct

import bson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apollo_assets.mongo import (
    BackupFormatError,
    QuarantineThresholdExceeded,
    canonical,
    check_quarantine_share,
    read_snapshot,
    to_document,
)
from apollo_assets.mongo.codec import DECODE_OPTIONS

from .helpers import encode, rows_of, snapshot_of, source_of, write_dump

GOOD = [encode({"_id": i, "name": f"person {i}", "address": {"city": "Paris"}}) for i in range(10)]


def _with(bad: bytes, at: int = 4) -> tuple[list[bytes], int]:
    raws = [*GOOD[:at], bad, *GOOD[at:]]
    return raws, sum(map(len, raws[:at]))


def _quarantined_one(tmp_path, bad: bytes):
    raws, offset = _with(bad)
    snapshot = snapshot_of(tmp_path, raws)
    rows = rows_of(snapshot)
    report = snapshot.report
    assert [r["_id"] for r in rows] == list(range(10))
    assert report.documents == 11 and report.converted == 10 and report.complete
    (q,) = report.quarantined
    assert q.raw == bad
    assert q.location.offset == offset and q.location.source.endswith("things.bson")
    return q


def test_invalid_utf8_in_a_string_is_quarantined_naming_the_field(tmp_path):
    bad = encode({"_id": 99, "name": "abc", "x": 1}).replace(b"abc", b"a\xff\xfe")
    q = _quarantined_one(tmp_path, bad)
    assert "utf-8" in q.error.lower() and "'name'" in q.error


def test_invalid_utf8_in_a_nested_string_names_the_path(tmp_path):
    bad = encode({"_id": 99, "address": {"city": "Lyon"}}).replace(b"Lyon", b"Ly\xc3\x28")
    q = _quarantined_one(tmp_path, bad)
    assert "'address.city'" in q.error


def test_internally_inconsistent_string_length_is_quarantined(tmp_path):
    doc = bytearray(encode({"_id": 99, "name": "abc"}))
    at = doc.index(b"name\x00") + 5
    struct.pack_into("<i", doc, at, 40)  # the string claims more bytes than its document holds
    q = _quarantined_one(tmp_path, bytes(doc))
    assert "'name'" in q.error


def test_inconsistent_sub_document_length_is_quarantined(tmp_path):
    doc = bytearray(encode({"_id": 99, "address": {"city": "Lyon"}}))
    at = doc.index(b"address\x00") + 8
    struct.pack_into("<i", doc, at, struct.unpack_from("<i", doc, at)[0] - 3)
    q = _quarantined_one(tmp_path, bytes(doc))
    assert "address" in q.error


def test_invalid_boolean_is_quarantined(tmp_path):
    doc = bytearray(encode({"_id": 99, "flag": True}))
    doc[doc.index(b"flag\x00") + 5] = 7
    q = _quarantined_one(tmp_path, bytes(doc))
    assert "'flag'" in q.error and "boolean" in q.error


def test_quarantined_documents_are_reported_once_per_read(tmp_path):
    raws, _ = _with(encode({"s": "x"}).replace(b"x", b"\xff"))
    snapshot = snapshot_of(tmp_path, raws)
    for _ in range(2):  # batches() may be read twice; the report describes one read
        assert len(rows_of(snapshot)) == 10
        assert len(snapshot.report.quarantined) == 1 and snapshot.report.converted == 10


def test_quarantine_threshold(tmp_path):
    bad = encode({"s": "x"}).replace(b"x", b"\xff")
    snapshot = snapshot_of(tmp_path, GOOD * 10 + [bad])  # 1 of 101 is under 1%
    rows_of(snapshot)
    report = snapshot.report
    check_quarantine_share(report.collection, report.backup_id, report.documents, report.quarantined, 0.01)
    with pytest.raises(QuarantineThresholdExceeded, match="1 of 101 documents could not be converted"):
        check_quarantine_share(report.collection, report.backup_id, report.documents, report.quarantined, 0.005)
    report = snapshot_of(tmp_path / "more", [*GOOD, bad, bad]).report
    with pytest.raises(QuarantineThresholdExceeded, match=r"'things' in backup .*: 2 of 12"):
        check_quarantine_share(report.collection, report.backup_id, report.documents, report.quarantined, 0.01)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.integers(1, 255))
def test_any_corrupted_byte_is_converted_faithfully_quarantined_or_refused(tmp_path_factory, where, xor):
    """A flipped byte never crashes the reader and never loses a document silently."""
    docs = [encode({"_id": i, "s": "x" * i, "a": {"b": [i, 2.5]}, "t": True}) for i in range(8)]
    blob = bytearray(b"".join(docs))
    blob[where % len(blob)] ^= xor
    path = write_dump(tmp_path_factory.mktemp("flip"), "things", [bytes(blob)])
    try:
        snapshot = read_snapshot(source_of(path), "b")
        rows = rows_of(snapshot)
    except BackupFormatError:
        return  # the framing itself is broken: refusing the file is the right answer
    report = snapshot.report
    assert report.complete and len(rows) == report.converted
    quarantined = {q.location.offset for q in report.quarantined}
    converted = iter(rows)
    for document in source_of(path).documents():
        try:
            expected = canonical(bson.decode(document.raw, DECODE_OPTIONS))
        except Exception:
            assert document.location.offset in quarantined
            continue
        assert document.location.offset not in quarantined
        assert canonical(to_document(next(converted), snapshot.schema)) == expected
