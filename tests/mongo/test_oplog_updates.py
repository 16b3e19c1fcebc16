"""Oplog updates applied to documents as the server replays them: `$set`/`$unset` (MongoDB before 5.0) and the
`$v: 2` diffs of MongoDB 5.0 and later (object sections d/u/i/b/s, array diffs with resize and sub-diffs)."""

from __future__ import annotations

import pytest
from bson.binary import Binary

from apollo_assets.mongo.oplog_updates import UpdateError, apply_update, is_replacement

DOC = {"_id": 1, "name": "Ada", "address": {"city": "Lyon", "zip": "69001"}, "tags": ["a", "b", "c"], "n": 1}


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ({"$set": {"n": 2}}, {**DOC, "n": 2}),
        (
            {"$v": 1, "$set": {"address.city": "Paris", "new": True}},
            {**DOC, "address": {"city": "Paris", "zip": "69001"}, "new": True},
        ),
        ({"$set": {"a.b.c": 1}}, {**DOC, "a": {"b": {"c": 1}}}),
        ({"$set": {"tags.1": "B", "tags.4": "e"}}, {**DOC, "tags": ["a", "B", "c", None, "e"]}),
        ({"$unset": {"address.zip": True, "missing.path": True}}, {**DOC, "address": {"city": "Lyon"}}),
        ({"$unset": {"tags.0": True}}, {**DOC, "tags": [None, "b", "c"]}),
        ({"$unset": {"name": 1}, "$set": {"n": 3}}, {k: v for k, v in {**DOC, "n": 3}.items() if k != "name"}),
    ],
)
def test_set_and_unset(update, expected):
    assert apply_update(DOC, update) == expected
    assert DOC["address"] == {"city": "Lyon", "zip": "69001"}  # the document itself is left as it was


def v2(diff: dict) -> dict:
    return {"$v": 2, "diff": diff}


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        # u: in place when the field exists, else appended; i: always appended; d: removed.
        ({"u": {"n": 2, "later": 1}}, {**DOC, "n": 2, "later": 1}),
        ({"i": {"name": "Bob"}}, {"_id": 1, "address": DOC["address"], "tags": DOC["tags"], "n": 1, "name": "Bob"}),
        ({"d": {"name": False, "nothere": False}}, {k: v for k, v in DOC.items() if k != "name"}),
        (
            {"saddress": {"u": {"city": "Paris"}, "i": {"country": "FR"}}},
            {**DOC, "address": {"city": "Paris", "zip": "69001", "country": "FR"}},
        ),
        ({"smissing": {"u": {"x": 1}}}, DOC),  # a sub-diff of a field the document does not have: nothing
        ({"sname": {"u": {"x": 1}}}, {**DOC, "name": None}),  # of a value of another type: null, as the server
        ({"stags": {"a": True, "u1": "B", "u4": "e"}}, {**DOC, "tags": ["a", "B", "c", None, "e"]}),
        ({"stags": {"a": True, "l": 2}}, {**DOC, "tags": ["a", "b"]}),
        ({"stags": {"a": True, "l": 4, "u0": "A"}}, {**DOC, "tags": ["A", "b", "c", None]}),
        ({"stags": {"a": True, "s1": {"u": {"x": 1}}}}, {**DOC, "tags": ["a", None, "c"]}),
    ],
)
def test_v2_diffs(diff, expected):
    out = apply_update(DOC, v2(diff))
    assert out == expected and list(out) == list(expected)


def test_v2_diffs_of_nested_arrays_and_documents():
    doc = {"_id": 1, "rows": [{"a": 1, "b": [1, 2]}, {"a": 2}]}
    diff = {"srows": {"a": True, "s0": {"u": {"a": 10}, "sb": {"a": True, "u2": 3}}, "u2": {"a": 3}}}
    assert apply_update(doc, v2(diff)) == {"_id": 1, "rows": [{"a": 10, "b": [1, 2, 3]}, {"a": 2}, {"a": 3}]}


def test_a_binary_diff_replaces_the_bytes_from_its_offset_and_keeps_the_subtype():
    doc = {"_id": 1, "data": {"ts": Binary(b"\x09\x00abc\x00", 7)}}
    out = apply_update(doc, v2({"sdata": {"b": {"ts": {"o": 5, "d": b"XY\x00"}}}}))
    assert out["data"]["ts"] == Binary(b"\x09\x00abcXY\x00", 7)


@pytest.mark.parametrize(
    ("update", "problem"),
    [
        ({"$inc": {"n": 1}}, r"\$inc operator"),
        ({"$v": 3, "x": 1}, r"unknown update format"),
        ({"$v": 2, "diff": {"z": {}}}, "unknown diff section"),
        ({"$v": 2, "diff": {"u": {"n": 1}, "d": {"n": False}}}, "twice"),
        ({"$set": {"name.first": "x"}}, "not a document or an array"),
        ({"$set": {"tags.x": "x"}}, "not a number"),
        ({"$v": 2, "diff": {"stags": {"a": True, "l": 1, "u3": 1}}}, "past its new length"),
        ({"$v": 2, "diff": {"b": {"name": {"o": 0, "d": b""}}}}, "not binary"),
    ],
)
def test_updates_that_cannot_be_applied_say_why_without_values_or_field_names(update, problem):
    with pytest.raises(UpdateError, match=problem) as info:
        apply_update(DOC, update)
    assert "Ada" not in str(info.value) and "tags" not in str(info.value) and "name" not in str(info.value)


def test_a_replacement_is_told_from_an_update():
    assert is_replacement({"_id": 1, "x": 1}) and is_replacement({})
    assert not is_replacement({"$set": {"x": 1}}) and not is_replacement(v2({}))
