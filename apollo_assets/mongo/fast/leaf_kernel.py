"""Compiled builders of the common scalar columns, each in one pass over its node's values (`plan_kernel` rows).

Each takes the chunk's bytes, the row count and, per value, its row, BSON type and value start, and returns the
column's buffers. A value the builder does not take as it is (another type, a datetime outside years 1-9999)
returns `OTHER`, and the caller builds that column the general way; a malformed value returns `MALFORMED`.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.jit import jit
from apollo_assets.mongo.fast.classes import MAX_MILLIS, MIN_MILLIS
from apollo_assets.mongo.fast.kernels import _i32

OTHER, MALFORMED = 1, 2
DOUBLE, STRING, OBJECTID, BOOL, DATETIME, UNDEFINED, NULL, SYMBOL, INT32, INT64 = 1, 2, 7, 8, 9, 6, 10, 14, 16, 18
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@jit(inline="always")
def _i64(u8, at):
    v = np.int64(0)
    for b in range(8):
        v |= np.int64(u8[at + b]) << (8 * b)
    return v


@jit(inline="always")
def _offsets(lengths):
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    total = 0
    for r in range(len(lengths)):
        total += lengths[r]
        offsets[r + 1] = total
    return offsets, total


@jit()
def strings(u8, n, row, t, value):
    """(outcome, validity, int32 offsets, bytes) of a string column; its values are checked as pymongo checks
    them (length at least 1, trailing NUL), UTF-8 aside."""
    valid = np.zeros(n, dtype=np.bool_)
    lengths = np.zeros(n, dtype=np.int64)
    for i in range(len(row)):
        if t[i] == UNDEFINED or t[i] == NULL:
            continue
        if t[i] != STRING and t[i] != SYMBOL:
            return OTHER, valid, np.zeros(1, np.int32), np.zeros(0, np.uint8)
        declared = _i32(u8, value[i])
        if declared < 1 or u8[value[i] + 3 + declared] != 0:
            return MALFORMED, valid, np.zeros(1, np.int32), np.zeros(0, np.uint8)
        valid[row[i]], lengths[row[i]] = True, declared - 1
    offsets, total = _offsets(lengths)
    data = np.empty(total, dtype=np.uint8)
    for i in range(len(row)):
        r = row[i]
        if valid[r]:
            at, start = offsets[r], value[i] + 4
            for j in range(lengths[r]):
                data[at + j] = u8[start + j]
    return 0, valid, offsets, data


@jit()
def objectids(u8, n, row, t, value):
    """(outcome, validity, int32 offsets, bytes) of ObjectIds as 24 lowercase hex digits."""
    valid = np.zeros(n, dtype=np.bool_)
    for i in range(len(row)):
        if t[i] == OBJECTID:
            valid[row[i]] = True
        elif t[i] != UNDEFINED and t[i] != NULL:
            return OTHER, valid, np.zeros(1, np.int32), np.zeros(0, np.uint8)
    offsets, total = _offsets(valid.astype(np.int64) * 24)
    data = np.empty(total, dtype=np.uint8)
    for i in range(len(row)):
        if t[i] == OBJECTID:
            at = offsets[row[i]]
            for j in range(12):
                byte = u8[value[i] + j]
                data[at + 2 * j], data[at + 2 * j + 1] = _HEX[byte >> 4], _HEX[byte & 15]
    return 0, valid, offsets, data


@jit()
def numbers(u8, n, row, t, value, accepts_double, datetimes):
    """(outcome, validity, int64 values, lowest int, highest int, ints seen) of an int64 column, a float64 one
    (`accepts_double`: the int64 bits of the doubles) or a timestamp one (`datetimes`: milliseconds)."""
    valid = np.zeros(n, dtype=np.bool_)
    values = np.zeros(n, dtype=np.int64)
    doubles = values.view(np.float64)
    low, high, ints = np.int64(0), np.int64(0), 0
    for i in range(len(row)):
        r, ti = row[i], t[i]
        if ti in (UNDEFINED, NULL):
            continue
        if datetimes:
            if ti != DATETIME:
                return OTHER, valid, values, low, high, ints
            v = _i64(u8, value[i])
            if v < MIN_MILLIS or v > MAX_MILLIS:
                return OTHER, valid, values, low, high, ints
            values[r] = v
        elif ti == DOUBLE and accepts_double:
            values[r] = _i64(u8, value[i])
        elif ti in (INT32, INT64):
            v = _i32(u8, value[i]) if ti == INT32 else _i64(u8, value[i])
            low, high = (v, v) if ints == 0 else (min(low, v), max(high, v))
            ints += 1
            if accepts_double:
                doubles[r] = np.float64(v)
            else:
                values[r] = v
        else:
            return OTHER, valid, values, low, high, ints
        valid[r] = True
    return 0, valid, values, low, high, ints


@jit()
def booleans(u8, n, row, t, value):
    """(outcome, validity, values) of a bool column; a byte other than 0 or 1 is malformed."""
    valid = np.zeros(n, dtype=np.bool_)
    values = np.zeros(n, dtype=np.bool_)
    for i in range(len(row)):
        if t[i] == BOOL:
            if u8[value[i]] > 1:
                return MALFORMED, valid, values
            valid[row[i]], values[row[i]] = True, u8[value[i]] == 1
        elif t[i] != UNDEFINED and t[i] != NULL:
            return OTHER, valid, values
    return 0, valid, values
