"""CRC-64/XZ (Go's `crc64.MakeTable(crc64.ECMA)`), the checksum of a mongodump archive's namespaces.

A byte-at-a-time loop in Python runs at a few MB/s, so large inputs are cut into equal blocks whose
CRCs are computed side by side with numpy, then merged: the CRC register is linear over GF(2), so
`crc(state, A + B) = shift_len(B)(crc(state, A)) ^ crc(0, B)`, where the shift is a 64x64 bit matrix
that we apply through eight 256-entry lookup tables.
"""

from __future__ import annotations

from functools import cache

import numpy as np

POLY = 0xC96C5795D7870F42  # ECMA-182, bit-reflected
MASK = 0xFFFFFFFFFFFFFFFF
BLOCK = 256  # bytes per lane in the vectorised update: short lanes, many of them, run fastest
MIN_VECTOR_BLOCKS = 16


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint64)
    for _ in range(8):
        table = np.where(table & np.uint64(1), (table >> np.uint64(1)) ^ np.uint64(POLY), table >> np.uint64(1))
    return table


TABLE = _byte_table().astype("<u8")
_TABLE_LIST = [int(v) for v in TABLE]


def _update_bytes(state: int, data: bytes) -> int:
    table = _TABLE_LIST
    for b in data:
        state = table[(state ^ b) & 0xFF] ^ (state >> 8)
    return state


def _update_lanes(states: np.ndarray, lanes: np.ndarray) -> np.ndarray:
    """Advance each lane's register over its row of bytes (all rows have the same length)."""
    states = states.astype("<u8")  # a copy, so the caller's array is left alone
    eight = np.uint64(8)
    columns = np.ascontiguousarray(lanes.T)  # contiguous columns: each step reads memory in order
    low_byte = np.empty(len(states), dtype=np.uint8)
    shifted = np.empty_like(states)
    for column in columns:
        # On little-endian storage every 8th byte is a register's low byte: no cast needed.
        np.bitwise_xor(states.view(np.uint8)[::8], column, out=low_byte)
        np.right_shift(states, eight, out=shifted)
        np.take(TABLE, low_byte, out=states)
        states ^= shifted
    return states


def _apply(tables: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Apply the linear map given by `tables` (8 x 256) to every register in `x`."""
    out = np.zeros_like(x)
    for i in range(8):
        out ^= tables[i][(x >> np.uint64(8 * i)) & np.uint64(0xFF)]
    return out


@cache
def _shift_tables(level: int) -> np.ndarray:
    """Tables of the map `state -> crc(state, BLOCK * 2**level zero bytes)`."""
    if level > 0:
        half = _shift_tables(level - 1)
        return _apply(half, half.reshape(-1)).reshape(8, 256)
    basis = np.uint64(1) << np.arange(64, dtype=np.uint64)
    images = _update_lanes(basis, np.zeros((64, BLOCK), dtype=np.uint8))
    tables = np.zeros((8, 256), dtype=np.uint64)
    for i in range(8):
        for bit in range(8):
            tables[i, 1 << bit : 2 << bit] = tables[i, : 1 << bit] ^ images[8 * i + bit]
    return tables


def _update_blocks(state: int, data: memoryview) -> int:
    """Advance `state` over `data`, whose length is a multiple of BLOCK."""
    n = len(data) // BLOCK
    lanes = np.frombuffer(data, dtype=np.uint8).reshape(n, BLOCK)
    size = 1 << (n - 1).bit_length()
    # Leading zero lanes with a zero register leave the merge unchanged, so pad to a power of two.
    registers = np.zeros(size, dtype=np.uint64)
    start = np.zeros(n, dtype=np.uint64)
    start[0] = state
    registers[size - n :] = _update_lanes(start, lanes)
    level = 0
    while len(registers) > 1:
        registers = _apply(_shift_tables(level), registers[0::2]) ^ registers[1::2]
        level += 1
    return int(registers[0])


class Crc64:
    """Incremental CRC-64/XZ: `update()` any number of times, then `value`."""

    def __init__(self) -> None:
        self._state = MASK
        self._pending = b""

    def update(self, data: bytes | memoryview) -> None:
        if self._pending:
            data = self._pending + bytes(data)
        view = memoryview(data).cast("B")
        whole = len(view) // BLOCK
        if whole < MIN_VECTOR_BLOCKS:
            self._pending = bytes(view)
            return
        self._state = _update_blocks(self._state, view[: whole * BLOCK])
        self._pending = bytes(view[whole * BLOCK :])

    @property
    def value(self) -> int:
        return _update_bytes(self._state, self._pending) ^ MASK


def crc64(data: bytes) -> int:
    crc = Crc64()
    crc.update(data)
    return crc.value
