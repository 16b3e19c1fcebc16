"""Running a per-value transform once per distinct value (the HMAC is the expensive part of masking).

`REPEATING` tells the transform (through `hmac_tokens`) whether the column repeats its values: only then
is the process-wide digest cache worth its lookups (on mostly unique values it costs more than it saves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SAMPLE = 2048
REPEATING: ContextVar[bool] = ContextVar("apollo_masking_repeating", default=False)


def per_distinct(values: pa.Array, transform: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``transform`` applied once per distinct value and taken back into place; nulls stay null.

    The column is dictionary-encoded (a dictionary array is used as it is), unless it is mostly unique:
    then encoding would cost more than it saves, and only the null slots are skipped.
    """
    if pa.types.is_dictionary(values.type):
        with _repeating():
            return transform(values.dictionary).take(values.indices)
    if not _mostly_distinct(values):
        encoded = values.dictionary_encode()
        with _repeating():
            return transform(encoded.dictionary).take(encoded.indices)
    return on_valid(values, transform)


def on_valid(values: pa.Array, transform: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``transform`` applied to the non-null values only, its results put back in place; nulls stay null."""
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


@contextmanager
def _repeating() -> Iterator[None]:
    token = REPEATING.set(True)
    try:
        yield
    finally:
        REPEATING.reset(token)
