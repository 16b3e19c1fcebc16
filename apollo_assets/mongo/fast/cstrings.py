"""Finding where C strings (element keys) end, eight bytes at a time.

A word's zero bytes are flagged by `(v - 0x01..01) & ~v & 0x80..80`; its lowest flag is always a true zero
byte, so its position is the end of the string. The words read on the way are kept: they are the key's bytes,
which `keys.key_ids` compares.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported

_ONES, _HIGHS = np.uint64(0x0101010101010101), np.uint64(0x8080808080808080)
_KEEP = np.array([(1 << (8 * n)) - 1 for n in range(8)], dtype=np.uint64)  # the bytes before the NUL
MAX_WORDS = 32  # keys up to 255 bytes; longer ones take the decoding path


def scan_cstrings(buf: Buffer, starts: np.ndarray, keep: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The NUL ending the C string at each start, and (when `keep`) its bytes as 8-byte words, zero-padded."""
    n = len(starts)
    ends = np.zeros(n, dtype=np.int64)
    words = np.zeros((n if keep else 0, 1), dtype=np.uint64)
    todo = np.arange(n)
    for w in range(MAX_WORDS):
        if not len(todo):
            return ends, words
        if keep and w == words.shape[1]:
            words = np.concatenate([words, np.zeros_like(words)], axis=1)
        at = starts[todo] + 8 * w
        if at[-1] >= buf.size or (at >= buf.size).any():
            raise Unsupported("a key runs past the end of the data")
        value = buf.u64[at]
        flags = (value - _ONES) & ~value & _HIGHS
        done = flags != 0
        every = bool(done.all())
        if not every:
            flags, value, finished = flags[done], value[done], todo[done]
        else:
            finished = todo
        # The lowest flag is a power of two: its float exponent gives its bit, hence the byte.
        low = (flags & (~flags + np.uint64(1))).astype(np.float64).view(np.int64)
        byte = ((low >> 52) - 1030) >> 3
        ends[finished] = starts[finished] + 8 * w + byte
        if keep:
            words[finished, w] = value & _KEEP[byte]
            if not every:
                words[todo[~done], w] = buf.u64[at[~done]]
        if every:
            return ends, words
        todo = todo[~done]
    raise Unsupported("a key longer than 255 bytes")
