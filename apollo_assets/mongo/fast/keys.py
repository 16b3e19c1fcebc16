"""Which key each element has: equal keys get equal ids, numbered in order of first appearance.

Keys are hashed from the words the walk read (`cstrings`), grouped by hash, then compared word for word with the
first element of their hash, so a hash collision can never merge two keys (it raises Unsupported).
"""

from __future__ import annotations

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.walk import Elements

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def key_ids(buf: Buffer, elements: Elements) -> tuple[np.ndarray, list[str]]:
    """An id per element (int64), and the key of each id."""
    if not len(elements):
        return np.zeros(0, dtype=np.int64), []
    words = elements.key_words
    h = (elements.key_end - elements.key_start).astype(np.uint64)
    for w in range(words.shape[1]):
        h = (h * _MULTIPLIER) ^ words[:, w]
        h ^= h >> np.uint64(29)
    _, first, codes = np.unique(h, return_index=True, return_inverse=True)
    codes = codes.astype(np.int64)
    if not (words == words[first[codes]]).all():
        raise Unsupported("two keys share a hash")
    # The decoding path orders keys by first appearance in document order, which is byte order in the chunk.
    earliest = np.full(len(first), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, codes, elements.key_start)
    rank = np.argsort(earliest)
    renumber = np.empty_like(rank)
    renumber[rank] = np.arange(len(rank))
    codes, first = renumber[codes], first[rank]
    names = []
    for i in first:
        raw = buf.data[int(elements.key_start[i]) : int(elements.key_end[i])]
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise Unsupported("a key is not UTF-8") from exc
    return codes, names
