"""Decimal128 values read straight from their IEEE 754-2008 BID bits, for decimal128(38, 9) columns.

pymongo's `Decimal128.to_decimal` is pure Python (tens of microseconds a value). Here the common case, a
coefficient under 2**63 whose value times 10**9 fits an int64, is done for all values at once; any other value
(NaN, infinities, huge coefficients or exponents) is left to pymongo.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer

_SPECIAL = np.uint64(3 << 61)  # NaN, infinities, and the rare large-coefficient form
_COEFFICIENT_HIGH = np.uint64(0x1_FFFF_FFFF_FFFF)
_SIGN_FREE = np.uint64(2**63)
_BIAS, SCALE, _MAX_K = 6176, 9, 18
_POW10 = np.array([10**k for k in range(_MAX_K + 1)], dtype=np.uint64)
_LIMIT = np.array([(2**63 - 1) // 10**k for k in range(_MAX_K + 1)], dtype=np.uint64)


def read_decimals(buf: Buffer, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each Decimal128 at `starts`: handled here, its value times 10**9 (int64), and whether that is not
    exactly decimal128(38, 9) (a fraction finer than 10**-9, or negative zero), as `field_stats.decimal_fits`."""
    low, high = buf.u64[starts], buf.u64[starts + 8]
    negative = (high >> np.uint64(63)).astype(bool)
    k = ((high >> np.uint64(49)) & np.uint64(0x3FFF)).astype(np.int64) - _BIAS + SCALE
    ok = ((high & _SPECIAL) != _SPECIAL) & ((high & _COEFFICIENT_HIGH) == 0) & (low < _SIGN_FREE)
    ok &= (k >= -_MAX_K) & (k <= _MAX_K)
    power = _POW10[np.clip(np.abs(k), 0, _MAX_K)]
    up = k >= 0
    ok &= ~up | (low <= _LIMIT[np.clip(k, 0, _MAX_K)])
    with np.errstate(over="ignore"):
        scaled = np.where(up, low * power, low // power).astype(np.int64)
    misfit = (negative & (low == 0)) | (~up & (low % power != 0))
    return ok, np.where(negative, -scaled, scaled), misfit


def decimal_buffer(scaled: np.ndarray) -> np.ndarray:
    """Arrow's decimal128 layout: 16-byte little-endian two's complement integers."""
    out = np.empty((len(scaled), 2), dtype=np.int64)
    out[:, 0] = scaled
    out[:, 1] = np.where(scaled < 0, -1, 0)
    return out
