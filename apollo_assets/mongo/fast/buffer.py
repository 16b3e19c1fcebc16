"""A chunk's bytes as numpy arrays: little-endian numbers readable at any byte offset, and the NUL positions."""

from __future__ import annotations

import numpy as np

PAD = 16  # zero bytes after the data, so that reading 8 bytes at any offset stays inside the array


class Unsupported(Exception):
    """The fast path does not handle this chunk exactly as the decoding path would: use that one."""


def _at_any_offset(raw: np.ndarray, dtype: str) -> np.ndarray:
    """View whose item i is the `dtype` value starting at byte i (numpy handles the unaligned reads)."""
    size = np.dtype(dtype).itemsize
    return np.ndarray(shape=(len(raw) - size + 1,), dtype=dtype, buffer=raw, strides=(1,))


class Buffer:
    def __init__(self, data: bytes) -> None:
        raw = np.zeros(len(data) + PAD, dtype=np.uint8)
        raw[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        self.data, self.size = data, len(data)
        self.u8 = raw
        self.i32 = _at_any_offset(raw, "<i4")
        self.i64 = _at_any_offset(raw, "<i8")
        self.f64 = _at_any_offset(raw, "<f8")
        self.u64 = _at_any_offset(raw, "<u8")
        self._nul: np.ndarray | None = None

    def next_nul(self, positions: np.ndarray) -> np.ndarray:
        """Position of the first NUL byte at or after each position (or `size` when there is none)."""
        if self._nul is None:  # only regexes need it: keys are scanned word by word (`keys.scan_keys`)
            self._nul = np.flatnonzero(self.u8[: self.size] == 0)
        i = np.searchsorted(self._nul, positions)
        out = np.full(len(positions), self.size, dtype=np.int64)
        found = i < len(self._nul)
        out[found] = self._nul[i[found]]
        return out


def gather(buf: Buffer, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The byte slices `starts[i]:starts[i]+lengths[i]` back to back, and their int32 Arrow offsets."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if total == 0:
        return np.zeros(0, dtype=np.uint8), offsets.astype(np.int32)
    shift = np.repeat(starts - offsets[:-1], lengths)
    index = np.arange(total, dtype=np.int64)
    index += shift
    return buf.u8[index], offsets.astype(np.int32)
