"""Decimal and null columns cut out of the BSON bytes (the common scalars are `leaves`' compiled builders)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from apollo_assets.mongo.convert import validity_bitmap
from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.decimals import decimal_buffer, read_decimals
from apollo_assets.mongo.schema import Plan


def scalar_array(buf: Buffer, plan: Plan, starts: np.ndarray, valid: np.ndarray) -> pa.Array:
    """The column of a decimal or null plan; `starts[i]` is row i's value (when `valid[i]`)."""
    n = len(valid)
    if plan.kind == "decimal":
        _, scaled, misfit = read_decimals(buf, starts[valid])
        if misfit.any():
            raise Unsupported("a decimal that decimal128(38, 9) does not hold under a decimal plan")
        values = np.zeros(n, dtype=np.int64)
        values[valid] = scaled
        return pa.Array.from_buffers(plan.arrow_type, n, [validity_bitmap(valid), pa.py_buffer(decimal_buffer(values))])
    if plan.kind == "null":
        return pa.nulls(n, plan.arrow_type)
    raise Unsupported(f"no builder here for a {plan.kind!r} plan")
