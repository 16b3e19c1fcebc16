"""Drifting fields of plain scalars (doubles, strings, integers, booleans, nulls), read from the BSON bytes.

A drifting field keeps every value as its Extended JSON text beside its BSON type name (`convert.build_column`,
kind `drift`). Here the numbers are read by numpy and strings by Arrow, so no value goes through pymongo. Integers,
booleans and the doubles that `repr` writes in fixed notation get their text from Arrow, vectorized (the same
text: checked against `repr` on ~900,000 doubles in the tests); strings and the other doubles get theirs per
value, from the very functions the decoding path uses (`codec.to_ejson`, `json.dumps`).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.mongo.codec import TYPE_NAMES, to_ejson
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import CLASS_OF, NULLS, count_ints, count_types
from apollo_assets.mongo.fast.leaves import string_array
from apollo_assets.mongo.field_stats import FieldStats

DOUBLE, STRING, BOOL, INT32, INT64 = 1, 2, 8, 16, 18
PLAIN = np.isin(np.arange(256), (DOUBLE, STRING, BOOL, INT32, INT64, *NULLS))
_NAMES = pa.array([TYPE_NAMES[CLASS_OF[code]] for code in (DOUBLE, STRING, BOOL, INT32, INT64)], pa.string())
_NAME_INDEX = np.zeros(256, dtype=np.int32)
_NAME_INDEX[[DOUBLE, STRING, BOOL, INT32, INT64]] = np.arange(5, dtype=np.int32)


def plain_drift(t: np.ndarray, present: np.ndarray) -> bool:
    """Whether every present value is a plain scalar this module reads."""
    return bool(PLAIN[t[present]].all())


def drift_columns(
    buf: Buffer, t: np.ndarray, starts: np.ndarray, present: np.ndarray, valid: np.ndarray, stats: FieldStats | None
) -> tuple[pa.Array, pa.Array]:
    """The text and type-name columns; `t[i]`, `starts[i]`: row i's BSON type and value offset, when `present`
    (`valid`: present and not null). With `stats`, the values are counted as `FieldStats.observe` counts them."""
    rows = {code: np.flatnonzero(present & (t == code)) for code in (DOUBLE, STRING, BOOL, INT32, INT64)}
    doubles = buf.f64[starts[rows[DOUBLE]]]
    arrow_texts = pa.array(doubles).cast(pa.string())
    fixed = repr_is_fixed(doubles) & ~pc.match_substring(arrow_texts, "e").to_numpy(zero_copy_only=False)
    parts = [(rows[DOUBLE][fixed], _as_repr(arrow_texts.filter(pa.array(fixed))))]
    parts.append((rows[DOUBLE][~fixed], pa.array(list(map(to_ejson, doubles[~fixed].tolist())), pa.string())))
    if len(rows[STRING]):
        texts = list(map(json.dumps, string_array(buf, starts[rows[STRING]]).to_pylist()))
        parts.append((rows[STRING], pa.array(texts, pa.string())))
    flags = buf.u8[starts[rows[BOOL]]]
    if (flags > 1).any():
        raise Unsupported("a boolean byte is neither 0 nor 1")
    parts.append((rows[BOOL], pc.if_else(pa.array(flags == 1), "true", "false")))
    ints = np.concatenate([buf.i32[starts[rows[INT32]]], buf.i64[starts[rows[INT64]]]]).astype(np.int64)
    parts.append((np.concatenate([rows[INT32], rows[INT64]]), pa.array(ints).cast(pa.string())))
    names = _NAMES.take(pa.array(_NAME_INDEX[t], mask=~valid))
    if stats is not None:
        count_types(stats, t[present])
        count_ints(stats, ints)
    return _placed(len(t), parts), names


def repr_is_fixed(doubles: np.ndarray) -> np.ndarray:
    """Which doubles Python's `repr` writes in fixed notation: 0, and 1e-4 <= |x| < 1e16."""
    size = np.abs(doubles)
    with np.errstate(invalid="ignore"):
        return (doubles == 0) | ((size >= 1e-4) & (size < 1e16))


def _as_repr(texts: pa.Array) -> pa.Array:
    """`repr` of doubles that both write in fixed notation, from Arrow's text: both write the shortest digits that
    read back as the same double, and Arrow leaves out the `.0` that `repr` gives whole numbers. (Arrow switches
    to an exponent sooner, from ~1e10 for long mantissas: those doubles are not fixed here.)"""
    return pc.if_else(pc.match_substring(texts, "."), texts, pc.binary_join_element_wise(texts, ".0", ""))


def _placed(n: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """One column of `n` rows: each part's values at its rows, null elsewhere."""
    index = np.full(n, -1, dtype=np.int64)
    at = 0
    for rows, _ in parts:
        index[rows] = np.arange(at, at + len(rows))
        at += len(rows)
    return pa.concat_arrays([values for _, values in parts]).take(pa.array(index, mask=index < 0))
