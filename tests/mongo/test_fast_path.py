"""The vectorised reader gives exactly what decoding gives: the same stats, schema, rows and quarantine.

Both paths run over the same bytes; the fast one must also be the one that actually ran (a fast path that
silently fell back on every chunk would pass the equality checks and be useless).
"""

from __future__ import annotations

import datetime as dt
import struct

import bson
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from bson.int64 import Int64
from bson.objectid import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apollo_assets.mongo.chunks import iter_chunks
from apollo_assets.mongo.fast import Unsupported, fast_convert, fast_observe
from apollo_assets.mongo.passes import Converter, convert_source, scan_source
from apollo_assets.mongo.schema import arrow_schema, infer_plan
from tests.fixtures_dir import FIXTURE_COUNTS

from .helpers import encode, source_of, write_dump
from .test_roundtrip_random import collections, scalars


def both_paths(source):
    out = {}
    for fast in (False, True):
        scanned = scan_source(source, fast=fast)
        plan, notes = infer_plan(scanned.stats)
        schema = arrow_schema(plan)
        converter = Converter(plan, schema, "20261126T040000Z", fast=fast)
        quarantined: list = []
        table = pa.Table.from_batches(list(convert_source(source, converter, scanned, quarantined)), schema)
        out[fast] = (schema, table, notes, [(q.location, q.error) for q in quarantined], scanned, converter)
    return out


def same_rows(a, b) -> bool:
    """Equal tables or batches, NaN equal to NaN (Arrow's `equals` says NaN != NaN)."""
    return a.equals(b) or (a.schema.equals(b.schema) and repr(a.to_pylist()) == repr(b.to_pylist()))


def assert_same(out) -> None:
    slow, fast = out[False], out[True]
    assert fast[0].equals(slow[0], check_metadata=True)
    assert same_rows(fast[1], slow[1])
    assert fast[2] == slow[2]
    assert fast[3] == slow[3]


PEOPLE = [
    {
        "_id": ObjectId(),
        "name": f"Person {i}",
        "email": None if i % 7 == 0 else f"p{i}@example.com",
        "score": [1.5, 2, "3.0"][i % 3],  # drift
        "age": Int64(30 + i) if i % 2 else 30 + i,
        "active": i % 2 == 0,
        "born": dt.datetime(1980, 1, 1) + dt.timedelta(days=i),
        "tags": ["a", "b"][: i % 3],
        "jobs": [{"org": ObjectId(), "title": "Engineer", "current": True, "since": dt.datetime(2020, 1, 1)}] * (i % 3),
        "address": {"city": "Paris", "zip": "75001"} if i % 5 else None,
        **({"late": "only in some"} if i % 11 == 0 else {}),
    }
    for i in range(300)
]


def test_people_like_documents_take_the_fast_path_and_match(tmp_path):
    out = both_paths(source_of(write_dump(tmp_path, "people", PEOPLE)))
    assert_same(out)
    assert out[True][4].fast_chunks == 1 and out[True][5].fast_chunks == 1


@pytest.mark.parametrize(("database", "collection"), sorted(FIXTURE_COUNTS))
def test_real_dumps_match(mongodump_fixtures, database, collection):
    assert_same(both_paths(source_of(mongodump_fixtures / database / f"{collection}.bson", collection)))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(collections)
def test_random_collections_match(tmp_path_factory, docs):
    path = write_dump(tmp_path_factory.mktemp("fast"), "things", docs)
    assert_same(both_paths(source_of(path)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({"a": scalars, "b": st.lists(scalars, max_size=3)}), min_size=1, max_size=30))
def test_scalar_mixes_match(tmp_path_factory, docs):
    assert_same(both_paths(source_of(write_dump(tmp_path_factory.mktemp("mix"), "things", docs))))


def _one_chunk(tmp_path, raws):
    return next(iter_chunks(source_of(write_dump(tmp_path, "things", raws))))


@pytest.mark.parametrize(
    "raw",
    [
        encode({"s": "ok"}).replace(b"ok", b"\xff\xfe"),  # invalid UTF-8 in a string
        encode({"ok": 1}).replace(b"ok", b"\xffk"),  # invalid UTF-8 in a key
        encode({"b": True}).replace(b"\x08b\x00\x01", b"\x08b\x00\x02"),  # boolean byte 2
        bson.encode({"a": 1}) + b"",  # fine, followed by a duplicate-key document below
        struct.pack("<i", 19) + b"\x10a\x00\x01\x00\x00\x00\x10a\x00\x02\x00\x00\x00\x00",  # key `a` twice
        encode({"r": {"$ref": "c", "$id": 1}}),  # a DBRef: decoding makes it one
    ],
)
def test_what_decoding_would_treat_differently_is_refused(tmp_path, raw):
    chunk = _one_chunk(tmp_path, [encode({"a": 1}), raw])
    if raw == bson.encode({"a": 1}):
        fast_observe(chunk)  # the control: accepted
        return
    with pytest.raises(Unsupported):
        fast_observe(chunk)


def test_a_refused_chunk_still_converts_through_decoding(tmp_path):
    bad = encode({"n": 2, "s": "x"}).replace(b"\x02s\x00\x02\x00\x00\x00x", b"\x02s\x00\x02\x00\x00\x00\xff")
    out = both_paths(source_of(write_dump(tmp_path, "things", [encode({"n": 1, "s": "a"}), bad])))
    assert_same(out)
    assert len(out[True][3]) == 1 and out[True][4].fast_chunks == 0


def test_a_plan_that_does_not_fit_is_refused(tmp_path):
    chunk = _one_chunk(tmp_path, [encode({"a": "text"})])
    plan, _ = infer_plan(fast_observe(_one_chunk(tmp_path / "other", [encode({"a": 1})])))
    with pytest.raises(Unsupported):
        fast_convert(chunk, plan, arrow_schema(plan), "b")


def stats_tree(stats) -> dict:
    """Everything a FieldStats holds, comparable (children in order)."""
    return {
        "types": sorted((cls.__name__, n) for cls, n in stats.types.items() if n),
        "ints": (stats.int_min, stats.int_max),
        "rest": (stats.decimal_misfits, sorted(stats.binary_subtypes), stats.scoped_code, stats.dynamic),
        "element": None if stats.element is None else stats_tree(stats.element),
        "children": [(k, stats_tree(v)) for k, v in stats.children.items()],
    }


def _decoded_stats(chunk):
    from apollo_assets.mongo.passes import ScanResult, observe_chunk

    return observe_chunk(chunk, ScanResult())


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(collections)
def test_one_walk_counts_and_converts_like_the_two_passes(tmp_path_factory, docs):
    from apollo_assets.mongo.fast import fused_convert

    chunk = _one_chunk(tmp_path_factory.mktemp("fused"), docs)
    expected_stats = _decoded_stats(chunk)
    plan, _ = infer_plan(expected_stats)
    schema = arrow_schema(plan)
    expected = Converter(plan, schema, "b", fast=False).convert(chunk, set(), [])
    try:
        batch, stats = fused_convert(chunk, plan, schema, "b")
    except Unsupported:
        return  # refused: the caller counts and converts by decoding (checked by the pipeline tests)
    assert stats_tree(stats) == stats_tree(expected_stats)
    assert same_rows(batch, expected)


def test_one_walk_takes_the_people_chunk_and_refuses_a_plan_it_does_not_fit(tmp_path):
    from apollo_assets.mongo.fast import fused_convert

    chunk = _one_chunk(tmp_path, PEOPLE)
    plan, _ = infer_plan(_decoded_stats(chunk))
    batch, stats = fused_convert(chunk, plan, arrow_schema(plan), "b")
    assert stats_tree(stats) == stats_tree(_decoded_stats(chunk)) and batch.num_rows == len(PEOPLE)
    narrower, _ = infer_plan(_decoded_stats(_one_chunk(tmp_path / "first", PEOPLE[:1])))
    with pytest.raises(Unsupported):
        fused_convert(chunk, narrower, arrow_schema(narrower), "b")


def test_a_drifting_field_of_plain_scalars_is_read_from_the_bytes_as_decoding_reads_it(tmp_path, monkeypatch):
    from apollo_assets.mongo.fast import columns

    calls = []
    original = columns.drift_columns
    monkeypatch.setattr(columns, "drift_columns", lambda *a: calls.append(1) or original(*a))
    values = [1.5, float("nan"), float("inf"), -0.0, 1e16, 2, Int64(2**40), True, False, 'é"\\\n', "", None, 3.0]
    values += [1e-5, 12345678901.25, 5e-324, -1e300, 0.1]  # doubles `repr` writes with an exponent, or Arrow does
    docs = [{"_id": i, **({} if i % 13 == 12 else {"v": values[i % len(values)]})} for i in range(60)]
    out = both_paths(source_of(write_dump(tmp_path, "drift", [encode(d) for d in docs])))
    assert_same(out)
    assert calls and out[True][4].fast_chunks == 1
    assert set(out[True][1].column("v__bson_type").to_pylist()) == {"double", "int", "long", "bool", "string", None}


def test_doubles_text_from_arrow_is_pythons_repr_wherever_it_is_taken() -> None:
    """The drift text of most doubles comes from Arrow's cast (`drift._as_repr`), the others' from `repr`:
    on random bit patterns, rounded scores, whole numbers and every power of ten, the two agree."""
    from apollo_assets.mongo.fast import drift

    rng = np.random.default_rng(5)
    bits = rng.integers(0, 2**64 - 1, 400_000, dtype=np.uint64, endpoint=True)
    doubles = np.concatenate(
        [
            bits.view(np.float64),
            np.round(rng.random(200_000) * 100, 2),
            rng.random(200_000) * 10.0 ** rng.integers(-6, 18, 200_000),
            rng.integers(-(10**12), 10**12, 100_000).astype(np.float64),
            10.0 ** np.arange(-10, 20),
            -(10.0 ** np.arange(-10, 20)),
            [0.0, -0.0, 1e-4, np.nextafter(1e-4, 0), 1e16, np.nextafter(1e16, 0)],
        ]
    )
    texts = pa.array(doubles).cast(pa.string())
    fixed = drift.repr_is_fixed(doubles) & ~pc.match_substring(texts, "e").to_numpy(zero_copy_only=False)
    assert fixed.sum() > 300_000  # most of the scores, numbers and powers: the vectorized path is the common one
    got = drift._as_repr(texts.filter(pa.array(fixed))).to_pylist()
    assert got == [repr(x) for x in doubles[fixed].tolist()]
