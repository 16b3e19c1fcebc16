"""The compiled walk along the plan (`fast.plan_walk`): columns and counts equal to the decoding path's, the common
scalars built by the compiled builders, and a refusal (`Unsupported`) for whatever decoding would read otherwise."""

from __future__ import annotations

import datetime as dt
import struct

import bson
import pytest
from bson.int64 import Int64
from bson.objectid import ObjectId

from apollo_assets.mongo.fast import Unsupported, fast_convert, fused_convert, plan_walk
from apollo_assets.mongo.passes import Converter
from apollo_assets.mongo.schema import arrow_schema, infer_plan

from .helpers import encode
from .test_fast_path import _decoded_stats, _one_chunk, same_rows, stats_tree

NESTED = [
    {
        "_id": ObjectId(),
        "name": None if i % 9 == 0 else f"n{i}",
        "n": Int64(i) if i % 2 else i,
        "x": float(i) / 3 if i % 4 else i,  # a float64 column holding ints too
        "ok": i % 3 == 0,
        "at": dt.datetime(2020, 1, 1) + dt.timedelta(hours=i),
        # Lists of lists, lists of structs with missing and null keys, keys in varying order.
        "grid": [[j, j + 1] for j in range(i % 3)] if i % 5 else None,
        "jobs": [{"t": "a", "o": ObjectId()} if j % 2 else {"o": None, "t": "b", "s": 1.5} for j in range(i % 4)],
        "home": {"city": "c", "geo": {"lat": 1.5, "lng": -2.0}} if i % 6 else {"geo": None},
    }
    for i in range(200)
]


def _plan_and_expected(chunk):
    stats = _decoded_stats(chunk)
    plan, _ = infer_plan(stats)
    schema = arrow_schema(plan)
    return plan, schema, stats, Converter(plan, schema, "b", fast=False).convert(chunk, set(), [])


def test_nested_documents_convert_and_count_as_decoding_does_without_the_general_builder(tmp_path, monkeypatch):
    chunk = _one_chunk(tmp_path, [encode(d) for d in NESTED])
    plan, schema, expected_stats, expected = _plan_and_expected(chunk)

    def refuse(*_):
        raise AssertionError("a common scalar column left the compiled builders")

    monkeypatch.setattr(plan_walk, "build", refuse)
    batch, stats = fused_convert(chunk, plan, schema, "b")
    assert same_rows(batch, expected)
    assert stats_tree(stats) == stats_tree(expected_stats)
    assert same_rows(fast_convert(chunk, plan, schema, "b"), expected)


def test_a_value_the_compiled_builders_do_not_take_goes_to_the_general_one(tmp_path):
    far = bson.encode({"at": bson.DatetimeMS(2**62)})  # decodes to DatetimeMS, not datetime: not a timestamp
    chunk = _one_chunk(tmp_path, [encode({"at": dt.datetime(2020, 1, 1)}), far])
    plan, schema, _, expected = _plan_and_expected(chunk)
    assert same_rows(fast_convert(chunk, plan, schema, "b"), expected)


def _element(code: int, key: bytes, value: bytes) -> bytes:
    return bytes([code]) + key + b"\0" + value


def _document(*elements: bytes) -> bytes:
    body = b"".join(elements)
    return struct.pack("<i", len(body) + 5) + body + b"\0"


STRING_OK = _element(2, b"s", struct.pack("<i", 3) + b"ok\0")


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (_document(_element(2, b"s", struct.pack("<i", 3) + b"\xff\xfe\0")), "invalid UTF-8"),
        (_document(_element(2, b"s", struct.pack("<i", 3) + b"okX")), "no NUL after a string"),
        (_document(STRING_OK, _element(8, b"b", b"\x02")), "boolean byte 2"),
        (_document(STRING_OK, STRING_OK), "a key twice"),
        (_document(STRING_OK, _element(16, b"new", struct.pack("<i", 1))), "a key the plan does not have"),
        (_document(_element(3, b"d", struct.pack("<i", 5) + b"\x0a")), "a sub-document without its NUL"),
        (_document(_element(16, b"s", struct.pack("<i", 1))), "an int under a string plan"),
    ],
)
def test_what_the_plan_or_decoding_would_not_take_is_refused(tmp_path, raw, what):
    good = encode({"s": "ok", "b": True, "d": {"k": 1}})
    plan, _ = infer_plan(_decoded_stats(_one_chunk(tmp_path / "plan", [good])))
    chunk = _one_chunk(tmp_path / "bad", [good, raw])
    with pytest.raises(Unsupported):
        fused_convert(chunk, plan, arrow_schema(plan), "b")


def test_documents_of_tiny_elements_outgrow_the_walks_first_guess_and_convert_alike(tmp_path):
    """The walk sizes its rows for elements of ~16 bytes and doubles them: arrays of small ints and null fields
    (7-9 bytes an element) take it past that guess several times."""
    docs = [{"v": list(range(i % 50, 600)), **{f"k{j}": None for j in range(40)}} for i in range(100)]
    raw = [encode(d) for d in docs]
    elements = sum(600 - i % 50 + 41 for i in range(100))
    assert sum(map(len, raw)) // 16 + 16 < elements  # the first guess is exceeded
    chunk = _one_chunk(tmp_path, raw)
    plan, schema, expected_stats, expected = _plan_and_expected(chunk)
    batch, stats = fused_convert(chunk, plan, schema, "b")
    assert same_rows(batch, expected)
    assert batch.column("v").to_pylist()[7] == list(range(7, 600))
    assert stats_tree(stats) == stats_tree(expected_stats)
