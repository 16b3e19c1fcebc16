"""Which key each element has: equal keys get equal ids, numbered in order of first appearance in the bytes."""

from __future__ import annotations

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.kernels import key_codes
from apollo_assets.mongo.fast.walk import Elements


def key_ids(buf: Buffer, elements: Elements) -> tuple[np.ndarray, list[str]]:
    """An id per element (int64), and the key of each id."""
    if not len(elements):
        return np.zeros(0, dtype=np.int64), []
    codes, first, earliest = key_codes(buf.u8, elements.parent, elements.key_start, elements.key_end)
    # The decoding path orders keys by first appearance in document order, which is byte order in the chunk.
    rank = np.argsort(earliest, kind="stable")
    if (rank != np.arange(len(rank))).any():
        renumber = np.empty_like(rank)
        renumber[rank] = np.arange(len(rank))
        codes, first = renumber[codes], first[rank]
    names = []
    for i in first.tolist():
        raw = buf.data[int(elements.key_start[i]) : int(elements.key_end[i])]
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise Unsupported("a key is not UTF-8") from exc
    return codes, names
