"""BSON type codes as the Python types decoding gives them, and the checks that keep the fast path exact."""

from __future__ import annotations

import datetime as dt

import numpy as np
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.decimals import read_decimals
from apollo_assets.mongo.fast.walk import Elements
from apollo_assets.mongo.field_stats import FieldStats

# Codes whose values the fast path counts and converts itself; any other goes through pymongo.
CLASS_OF: dict[int, type] = {
    1: float,
    2: str,
    3: dict,
    4: list,
    6: type(None),  # `undefined` decodes to None
    7: ObjectId,
    8: bool,
    9: dt.datetime,
    10: type(None),
    14: str,  # symbol decodes to str
    16: int,
    18: Int64,
    19: Decimal128,  # when `decimals.read_decimals` handles it
}
SIMPLE = np.zeros(256, dtype=bool)
SIMPLE[list(CLASS_OF)] = True
NULLS = (6, 10)
STRINGS = (2, 14)
# Datetimes that decode to datetime.datetime (years 1-9999); others decode to DatetimeMS.
MIN_MILLIS, MAX_MILLIS = -62_135_596_800_000, 253_402_300_799_999


def count_types(stats: FieldStats, codes: np.ndarray) -> None:
    """Count values of BSON types `codes` as `FieldStats.observe` counts them: by the Python type decoding gives."""
    for code, count in enumerate(np.bincount(codes, minlength=256).tolist()):
        if count:
            stats.types[CLASS_OF[code]] += count


def count_ints(stats: FieldStats, ints: np.ndarray) -> None:
    """Widen the integer range of `stats` to `ints` (int32 and int64 values), as `FieldStats.observe` does."""
    if len(ints):
        stats.int_min, stats.int_max = min(stats.int_min, int(ints.min())), max(stats.int_max, int(ints.max()))


def datetime_in_range(buf: Buffer, value_start: np.ndarray) -> np.ndarray:
    millis = buf.i64[value_start]
    return (millis >= MIN_MILLIS) & (millis <= MAX_MILLIS)


def simple_mask(buf: Buffer, elements: Elements, index: np.ndarray) -> np.ndarray:
    """Which of `elements[index]` the fast path handles (the rest: pymongo). Bad booleans raise."""
    t = elements.type[index]
    simple = SIMPLE[t]
    dates = t == 9
    if dates.any():
        simple[dates] = datetime_in_range(buf, elements.value_start[index[dates]])
    decimals = t == 19
    if decimals.any():
        simple[decimals] = read_decimals(buf, elements.value_start[index[decimals]])[0]
    bools = t == 8
    if bools.any() and (buf.u8[elements.value_start[index[bools]]] > 1).any():
        raise Unsupported("a boolean byte is neither 0 nor 1")
    return simple
