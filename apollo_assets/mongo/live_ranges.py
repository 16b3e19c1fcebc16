"""`_id` ranges that split a live collection into pieces to read side by side.

Split points come from `$sample` (a random cursor: it reads about as many documents as it returns), sorted by the
server. `$bucketAuto` on `_id` would give exact quantiles, but it reads and sorts every `_id` of the collection
(a full index scan, and a sort limited to 100 MB of memory) before the first document is read; skip/limit is
worse (each skip walks the index from the start). Sampled quantiles are uneven by a few percent: good enough.

MongoDB compares values of different types by type bracket only, so ranges are taken within the bracket of the
most common `_id` type, each range filtered on that `$type`, plus one range for every `_id` of other types:
the ranges are disjoint and together cover the collection, whatever its `_id`s are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId

if TYPE_CHECKING:
    from pymongo.collection import Collection  # the driver itself: only where a cluster is read

# The `$type` alias of the bracket each sortable `_id` type belongs to.
BRACKETS: dict[type, str] = {
    ObjectId: "objectId",
    int: "number",
    Int64: "number",
    float: "number",
    Decimal128: "number",
    str: "string",
    dt.datetime: "date",
}
# Every `$type` alias: the range of "other" `_id`s lists all but the bracket's own, so that a server with an `_id`
# index reads only those types' index bounds (usually empty) rather than scanning the index with `$not`.
ALIASES = (
    "double",
    "string",
    "object",
    "array",
    "binData",
    "undefined",
    "objectId",
    "bool",
    "date",
    "null",
    "regex",
    "dbPointer",
    "javascript",
    "symbol",
    "javascriptWithScope",
    "int",
    "timestamp",
    "long",
    "decimal",
    "minKey",
    "maxKey",
)
NUMBERS = ("double", "int", "long", "decimal")
SAMPLES_PER_RANGE = 20
MAX_SAMPLES = 10_000


@dataclass(frozen=True)
class IdRange:
    """`_id`s of `bracket` in [lo, hi) (None: unbounded), or, when `others`, every `_id` not of `bracket`."""

    bracket: str | None = None  # None: the whole collection in one range
    lo: Any = None
    hi: Any = None
    others: bool = False

    def filter(self) -> dict[str, Any]:
        if self.bracket is None:
            return {}
        if self.others:
            covered = NUMBERS if self.bracket == "number" else (self.bracket,)
            return {"_id": {"$type": [a for a in ALIASES if a not in covered]}}
        condition: dict[str, Any] = {"$type": self.bracket}
        if self.lo is not None:
            condition["$gte"] = self.lo
        if self.hi is not None:
            condition["$lt"] = self.hi
        return {"_id": condition}

    def describe(self) -> str:
        if self.bracket is None:
            return "_id range (all)"
        if self.others:
            return f"_id range (every _id not of type {self.bracket})"
        lo = "-inf" if self.lo is None else repr(self.lo)
        hi = "+inf" if self.hi is None else repr(self.hi)
        return f"_id range [{lo}, {hi}) of type {self.bracket}"


def _quantiles(values: list[Any], pieces: int) -> list[Any]:
    """`pieces - 1` evenly spaced, distinct values of the sorted `values`."""
    points: list[Any] = []
    for k in range(1, pieces):
        value = values[k * len(values) // pieces]
        if not points or value != points[-1]:
            points.append(value)
    return points


def split_ranges(collection: Collection, pieces: int) -> list[IdRange]:
    """About `pieces` ranges of similar size covering `collection` (one range for a small or empty one)."""
    if pieces <= 1:
        return [IdRange()]
    size = min(MAX_SAMPLES, pieces * SAMPLES_PER_RANGE)
    pipeline = [{"$sample": {"size": size}}, {"$project": {"_id": 1}}, {"$sort": {"_id": 1}}]
    ids = [d["_id"] for d in collection.aggregate(pipeline)]
    brackets = Counter(BRACKETS.get(type(v)) for v in ids)
    bracket = max(brackets, key=lambda b: (b is not None, brackets[b]), default=None)
    if bracket is None or len(ids) < pieces:
        return [IdRange()]
    points = _quantiles([v for v in ids if BRACKETS.get(type(v)) == bracket], pieces)
    bounds = [None, *points, None]
    ranges = [IdRange(bracket, lo, hi) for lo, hi in pairwise(bounds)]
    return [*ranges, IdRange(bracket, others=True)]
