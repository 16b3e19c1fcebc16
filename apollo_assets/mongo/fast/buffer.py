"""A chunk's bytes as numpy arrays: little-endian numbers readable at any byte offset."""

from __future__ import annotations

import numpy as np

from apollo_assets.errors import ApolloError

PAD = 16  # zero bytes after the data, so that reading 8 bytes at any offset stays inside the array


class Unsupported(ApolloError):
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
