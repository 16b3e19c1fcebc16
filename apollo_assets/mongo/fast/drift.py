"""Drifting fields of plain scalars (doubles, strings, integers, booleans, nulls), read from the BSON bytes.

A drifting field keeps every value as its Extended JSON text beside its BSON type name (`convert.build_column`,
kind `drift`). Here the numbers are read by numpy and strings by Arrow, so no value goes through pymongo; only
the text itself is made per value, by the very functions the decoding path uses (`codec.to_ejson`).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

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
    n = len(t)
    texts = np.full(n, None, dtype=object)
    rows = {code: np.flatnonzero(present & (t == code)) for code in (DOUBLE, STRING, BOOL, INT32, INT64)}
    doubles = buf.f64[starts[rows[DOUBLE]]]
    # `to_ejson` of a finite float is its repr; NaN and infinities take `to_ejson` itself.
    texts[rows[DOUBLE]] = list(map(float.__repr__ if np.isfinite(doubles).all() else to_ejson, doubles.tolist()))
    if len(rows[STRING]):
        texts[rows[STRING]] = list(map(json.dumps, string_array(buf, starts[rows[STRING]]).to_pylist()))
    if (buf.u8[starts[rows[BOOL]]] > 1).any():
        raise Unsupported("a boolean byte is neither 0 nor 1")
    texts[rows[BOOL]] = np.where(buf.u8[starts[rows[BOOL]]] == 1, "true", "false")
    ints = np.concatenate([buf.i32[starts[rows[INT32]]], buf.i64[starts[rows[INT64]]]]).astype(np.int64)
    texts[np.concatenate([rows[INT32], rows[INT64]])] = list(map(int.__repr__, ints.tolist()))
    names = _NAMES.take(pa.array(_NAME_INDEX[t], mask=~valid))
    if stats is not None:
        count_types(stats, t[present])
        count_ints(stats, ints)
    return pa.array(texts, pa.string()), names
