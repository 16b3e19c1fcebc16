"""HMAC-SHA256 of every value of an Arrow array, as 32-character lowercase hex tokens (RFC 2104).

The values are read straight from the array's offsets and data buffers and the tokens written into a
fresh one, so no Python string is made per value. The inner and outer HMAC states are prepared once and
copied per value, which halves the cost of `hmac.digest` (OpenSSL looks the digest up on every call).
That loop, about 1.5 µs a value, is the cost of masking: callers hash each distinct value once.
"""

from __future__ import annotations

import binascii
import hashlib
import itertools

import numpy as np
import pyarrow as pa

TOKEN_CHARS = 32


def hmac_tokens(values: pa.Array, secret: bytes) -> pa.StringArray:
    """One token per slot, nulls included (hashed as stored: callers re-apply validity)."""
    values = _flat_bytes(values)
    count = len(values)
    if count == 0:
        return pa.array([], pa.string())
    width = 8 if _is_large(values.type) else 4
    offsets = np.frombuffer(values.buffers()[1], f"<i{width}", count + 1, values.offset * width)
    data = values.buffers()[2]
    digests = _hmac_all(memoryview(data) if data is not None else b"", offsets.tolist(), secret)
    truncated = np.frombuffer(digests, np.uint8).reshape(count, 32)[:, : TOKEN_CHARS // 2]
    hexed = binascii.hexlify(truncated.tobytes())
    token_offsets = np.arange(0, TOKEN_CHARS * (count + 1), TOKEN_CHARS, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(token_offsets), pa.py_buffer(hexed)])


def _hmac_all(data: memoryview | bytes, offsets: list[int], secret: bytes) -> bytes:
    """HMAC-SHA256 of each ``data[offsets[i]:offsets[i+1]]``, the digests concatenated."""
    block = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in block)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in block)).copy
    out: list[bytes] = []
    append = out.append
    for start, end in itertools.pairwise(offsets):
        inner = inner_copy()
        inner.update(data[start:end])
        outer = outer_copy()
        outer.update(inner.digest())
        append(outer.digest())
    return b"".join(out)


def _flat_bytes(values: pa.Array) -> pa.Array:
    """The values as string/binary with plain offsets (views and other types are cast)."""
    type_ = values.type
    if pa.types.is_string(type_) or pa.types.is_binary(type_) or _is_large(type_):
        return values
    return values.cast(pa.binary() if pa.types.is_binary_view(type_) else pa.string())


def _is_large(type_: pa.DataType) -> bool:
    return pa.types.is_large_string(type_) or pa.types.is_large_binary(type_)
