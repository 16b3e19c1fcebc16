"""Running a per-value transform once per distinct value (the HMAC is the expensive part of masking)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SAMPLE = 2048


def per_distinct(values: pa.Array, transform: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``transform`` applied once per distinct value and taken back into place; nulls stay null.

    The column is dictionary-encoded (a dictionary array is used as it is), unless it is mostly unique:
    then encoding would cost more than it saves, and only the null slots are skipped.
    """
    if pa.types.is_dictionary(values.type):
        return transform(values.dictionary).take(values.indices)
    if not _mostly_distinct(values):
        encoded = values.dictionary_encode()
        return transform(encoded.dictionary).take(encoded.indices)
    if not values.null_count:
        return transform(values)
    valid = values.is_valid()
    slots = pc.subtract(pc.cumulative_sum(pc.cast(valid, pa.int64())), 1)
    return transform(values.drop_null()).take(pc.if_else(valid, slots, None))


def _mostly_distinct(values: pa.Array) -> bool:
    """Whether more than half the rows are distinct values, estimated from the duplicates in an evenly
    spread sample (k duplicates among s sampled rows suggest about s²/2k distinct values)."""
    present = len(values) - values.null_count
    if present <= _SAMPLE:
        return False
    sample = values.take(np.linspace(0, len(values) - 1, _SAMPLE, dtype=np.int64)).drop_null()
    duplicates = len(sample) - len(pc.unique(sample))
    return duplicates == 0 or len(sample) ** 2 / (2 * duplicates) > present / 2
