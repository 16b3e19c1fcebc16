"""Reproducible randomness and ObjectIds: every stream is derived from (seed, purpose), never global state."""

import hashlib
import random
from bisect import bisect
from collections.abc import Sequence
from datetime import datetime
from itertools import accumulate

import numpy as np
from bson import ObjectId


def _key(seed: int, parts: tuple[object, ...]) -> bytes:
    return hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()


def rng_for(seed: int, *parts: object) -> random.Random:
    # Separate streams per purpose: adding a draw in one generator must not shift every other collection.
    return random.Random(int.from_bytes(_key(seed, parts)[:16], "big"))


def np_rng_for(seed: int, *parts: object) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(_key(seed, parts)[:16], "big"))


class ObjectIds:
    """ObjectIds with the real layout: 4-byte creation time, 5-byte process id, 3-byte counter.

    The process bytes come from the seed, so ids are unique per collection, ordered like inserts and
    reproducible; their embedded time is the document's creation time, as in production.
    """

    def __init__(self, seed: int, collection: str) -> None:
        self._process = _key(seed, ("objectid", collection))[:5]
        self._counter = 0

    def new(self, created: datetime | float) -> ObjectId:
        self._counter += 1
        # Every datetime here is timezone-aware, so timestamp() never involves the local time zone.
        when = int(created if isinstance(created, float | int) else created.timestamp())
        return ObjectId(b"%s%s%s" % (when.to_bytes(4), self._process, (self._counter & 0xFFFFFF).to_bytes(3)))


class Weighted[T]:
    """A weighted choice with its cumulative weights computed once (random.choices redoes it every call)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self._cumulative, rng.random() * self._total)]
