"""A bounded, process-wide memory of digests already computed, one per key: value bytes → truncated HMAC.

The HMAC is the cost of masking, and the same values come back across the batches of a partition and
across collections (a person's email in `people`, `contacts`, `users` and every message sent to them).
Two generations approximate an LRU at dict speed: lookups and inserts go to the young one, a hit in the
old one is promoted, and when the young one is full it becomes the old one (the previous old one is
forgotten). Caches are keyed by a digest of the secret, never by the secret itself, and live in memory only.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from itertools import compress, repeat

CAPACITY = 262_144  # entries per key, both generations together (~30 MB of short values)
MAX_KEYS = 4  # pseudonym and fingerprint keys of one process, with room for tests that use several
_caches: dict[bytes, TokenCache] = {}


class TokenCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._young: dict[bytes, bytes] = {}
        self._old: dict[bytes, bytes] = {}
        self.computed = 0  # digests computed (misses), for tests and benchmarks

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def digests(self, items: list[bytes], compute: Callable[[list[bytes]], list[bytes]]) -> list[bytes]:
        """The digest of each item, ``compute`` running on the ones not remembered. `map` keeps the
        per-value work in C: only missed values reach Python code (in ``compute``)."""
        found = list(map(self._young.get, items))
        missing = list(compress(range(len(items)), map(operator.is_, found, repeat(None))))
        if not missing:
            return found
        values = list(map(items.__getitem__, missing))
        promoted = list(map(self._old.get, values))
        todo = list(compress(range(len(values)), map(operator.is_, promoted, repeat(None))))
        fresh = compute(list(map(values.__getitem__, todo)))
        self.computed += len(fresh)
        for slot, digest in zip(todo, fresh, strict=True):
            promoted[slot] = digest
        self._remember(values, promoted)
        for slot, digest in zip(missing, promoted, strict=True):
            found[slot] = digest
        return found

    def _remember(self, values: list[bytes], digests: list[bytes]) -> None:
        if len(values) >= self.capacity // 2:  # a batch bigger than a generation is not worth keeping
            return
        if len(self._young) + len(values) > self.capacity // 2:
            self._old, self._young = self._young, {}
        self._young.update(zip(values, digests, strict=True))


def cache_for(secret: bytes) -> TokenCache:
    """The cache of one key (the least recently created one is dropped beyond MAX_KEYS)."""
    ident = hashlib.sha256(b"apollo-token-cache\0" + secret).digest()
    cache = _caches.get(ident)
    if cache is None:
        while len(_caches) >= MAX_KEYS:
            del _caches[next(iter(_caches))]
        cache = _caches[ident] = TokenCache()
    return cache


def clear_token_caches() -> None:
    """Forget every remembered value (e.g. between benchmark repeats)."""
    _caches.clear()
