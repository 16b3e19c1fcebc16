"""Scalar columns cut out of the BSON bytes: strings, ObjectIds (as hex), numbers, booleans, datetimes, decimals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported, gather
from apollo_assets.mongo.fast.classes import count_ints, datetime_in_range, string_array
from apollo_assets.mongo.fast.decimals import decimal_buffer, read_decimals
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import Plan

_HEX_PAIRS = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint16)


def _bitmap(valid: np.ndarray) -> pa.Buffer | None:
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def _numbers(buf: Buffer, t: np.ndarray, starts: np.ndarray, valid: np.ndarray, dtype: str) -> np.ndarray:
    out = np.zeros(len(valid), dtype=dtype)
    for code, view in ((1, buf.f64), (16, buf.i32), (18, buf.i64)):
        rows = valid & (t == code)
        if rows.any():
            out[rows] = view[starts[rows]]
    return out


def _objectids(buf: Buffer, starts: np.ndarray, valid: np.ndarray) -> pa.Array:
    raw, _ = gather(buf, starts[valid], np.full(int(valid.sum()), 12, dtype=np.int64))
    offsets = np.zeros(len(valid) + 1, dtype=np.int32)
    np.cumsum(valid * 24, out=offsets[1:])
    data = pa.py_buffer(_HEX_PAIRS[raw])
    return pa.Array.from_buffers(pa.string(), len(valid), [_bitmap(valid), pa.py_buffer(offsets), data])


def _int_range(buf: Buffer, stats: FieldStats, t, starts, valid) -> None:
    count_ints(stats, np.concatenate([buf.i32[starts[valid & (t == 16)]], buf.i64[starts[valid & (t == 18)]]]))


def scalar_array(buf: Buffer, plan: Plan, t, starts, valid, stats: FieldStats | None) -> pa.Array:
    """The column of a scalar plan; `starts[i]` is row i's value (when `valid[i]`), `t[i]` its BSON type."""
    kind, n = plan.kind, len(valid)
    if kind == "string":
        return string_array(buf, starts[valid], valid)
    if kind == "objectid":
        return _objectids(buf, starts, valid)
    if kind in ("int64", "float64"):
        values = _numbers(buf, t, starts, valid, "<i8" if kind == "int64" else "<f8")
        if stats is not None:
            _int_range(buf, stats, t, starts, valid)
        return pa.Array.from_buffers(plan.arrow_type, n, [_bitmap(valid), pa.py_buffer(values)])
    if kind == "bool":
        return pa.array(buf.u8[starts] == 1, mask=~valid)
    if kind == "timestamp":
        if not datetime_in_range(buf, starts[valid]).all():
            raise Unsupported("a datetime outside years 1-9999 under a timestamp plan")
        millis = np.where(valid, buf.i64[starts], 0)
        return pa.Array.from_buffers(plan.arrow_type, n, [_bitmap(valid), pa.py_buffer(millis)])
    if kind == "decimal":
        _, scaled, misfit = read_decimals(buf, starts[valid])
        if misfit.any():
            raise Unsupported("a decimal that decimal128(38, 9) does not hold under a decimal plan")
        values = np.zeros(n, dtype=np.int64)
        values[valid] = scaled
        return pa.Array.from_buffers(plan.arrow_type, n, [_bitmap(valid), pa.py_buffer(decimal_buffer(values))])
    if kind == "null":
        return pa.nulls(n, plan.arrow_type)
    raise AssertionError(f"no vectorised converter for {kind!r}")
