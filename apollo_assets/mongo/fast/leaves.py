"""Scalar columns of the common kinds (strings, ObjectIds, numbers, booleans, datetimes) from their node's values in
one compiled pass each (`leaf_kernel`), with what pass one counts for them.

A column holding anything else (another BSON type, a datetime outside years 1-9999) is left to `columns.build`
(`None`); a malformed value (a string's length or NUL, a boolean byte) raises `Unsupported`, as there.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.convert import validity_bitmap
from apollo_assets.mongo.fast import leaf_kernel
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.classes import count_ints, count_types
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.schema import Plan

KINDS = frozenset({"string", "objectid", "int64", "float64", "timestamp", "bool"})


def leaf_column(
    buf: Buffer, plan: Plan, n: int, row: np.ndarray, t: np.ndarray, value: np.ndarray, stats: FieldStats | None
) -> pa.Array | None:
    """The column of `plan` (a kind in KINDS) whose value i is at `value[i]`, of type `t[i]`, in row `row[i]`."""
    kind = plan.kind
    if kind in ("string", "objectid"):
        build = leaf_kernel.strings if kind == "string" else leaf_kernel.objectids
        outcome, valid, offsets, data = build(buf.u8, n, row, t, value)
        array = None if outcome else _strings(n, valid, offsets, data, utf8_checked=kind == "objectid")
    elif kind == "bool":
        outcome, valid, values = leaf_kernel.booleans(buf.u8, n, row, t, value)
        array = None if outcome else pa.Array.from_buffers(pa.bool_(), n, [validity_bitmap(valid), _bits(values)])
    else:
        doubles, datetimes = kind == "float64", kind == "timestamp"
        outcome, valid, values, low, high, ints = leaf_kernel.numbers(buf.u8, n, row, t, value, doubles, datetimes)
        buffers = [validity_bitmap(valid), pa.py_buffer(values)]
        array = None if outcome else pa.Array.from_buffers(plan.arrow_type, n, buffers)
        if not outcome and stats is not None and ints:
            count_ints(stats, np.array([low, high]))
    if outcome == leaf_kernel.MALFORMED:
        raise Unsupported(f"a malformed value under a {kind!r} plan")
    if array is not None and stats is not None:
        count_types(stats, t)
    return array


def _bits(values: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(values, bitorder="little"))


def string_array(buf: Buffer, value_start: np.ndarray) -> pa.Array:
    """Arrow strings of the BSON string values at `value_start`, checked as pymongo checks them."""
    n = len(value_start)
    t = np.full(n, leaf_kernel.STRING, dtype=np.int64)
    outcome, valid, offsets, data = leaf_kernel.strings(buf.u8, n, np.arange(n, dtype=np.int64), t, value_start)
    if outcome:
        raise Unsupported("a string's length or terminating NUL is wrong")
    return _strings(n, valid, offsets, data)


def _strings(n: int, valid: np.ndarray, offsets: np.ndarray, data: np.ndarray, utf8_checked: bool = False) -> pa.Array:
    """A string array of these buffers; its UTF-8 is checked unless it is known to be (the hex of ObjectIds)."""
    array = pa.Array.from_buffers(pa.string(), n, [validity_bitmap(valid), pa.py_buffer(offsets), pa.py_buffer(data)])
    if utf8_checked:
        return array
    try:
        array.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise Unsupported(f"a string is not valid UTF-8: {exc}") from exc
    return array
