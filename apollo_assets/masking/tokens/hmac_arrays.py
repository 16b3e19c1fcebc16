"""HMAC-SHA256 of every value of an Arrow array, as 32-character lowercase hex tokens (RFC 2104).

Where `hmac_kernel` is available (OpenSSL found, self-check passed), one compiled loop hashes the array's
buffers as they are. Otherwise this module's Python loop does, with the same tokens: the inner and outer
HMAC states are prepared once and copied per value (`hmac.digest` would set the key up again, and OpenSSL
look the digest up, on every call). Values reach that loop as `bytes` from one `to_pylist` of a zero-copy
binary view: slicing a memoryview per value costs more than the hash itself. In a column that repeats its
values (`distinct.REPEATING`), digests already computed for this key come from `cache`, as the same
values come back in the next batches (the compiled loop needs no cache: a lookup costs about what it does).
Either way the tokens are hex-encoded into one Arrow buffer, without a string per value.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from apollo_assets.masking.tokens.cache import cache_for
from apollo_assets.masking.tokens.distinct import REPEATING, on_valid

TOKEN_CHARS = 32
DIGEST_BYTES = TOKEN_CHARS // 2


def _kernel():
    """The compiled loop's module, imported on first use: importing numba costs the definitions (which import
    this module through the lake assets) about half a second, and only a masking step needs it (step processes
    have it already, from the forkserver's preload)."""
    from apollo_assets.masking.tokens import hmac_kernel

    return hmac_kernel


def hmac_tokens(values: pa.Array, secret: bytes) -> pa.StringArray:
    """One token per value; nulls stay null (and cost nothing: only valid values reach the loop)."""
    values = _as_binary(values)
    if values.null_count:
        return on_valid(values, lambda present: hmac_tokens(present, secret))
    count = len(values)
    if count == 0:
        return pa.array([], pa.string())
    token_offsets = np.arange(0, TOKEN_CHARS * (count + 1), TOKEN_CHARS, dtype=np.int32)
    hexed = _kernel().tokens(*_buffers(values), secret, TOKEN_CHARS)
    if hexed is None:
        hexed = _python_tokens(values, secret)
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(token_offsets), pa.py_buffer(hexed)])


def _python_tokens(values: pa.Array, secret: bytes) -> bytes:
    count = len(values)
    items = values.to_pylist()
    compute = digest_function(secret)
    digests = cache_for(secret).digests(items, compute) if REPEATING.get() else compute(items)
    truncated = np.frombuffer(b"".join(digests), np.uint8).reshape(count, 32)[:, :DIGEST_BYTES]
    return binascii.hexlify(truncated.tobytes())


def digest_function(secret: bytes) -> Callable[[list[bytes]], list[bytes]]:
    """HMAC-SHA256 under ``secret`` of each value (whole digests: truncating them one by one costs a copy)."""
    inner_pad, outer_pad = _kernel().key_pads(secret)
    inner_copy, outer_copy = hashlib.sha256(inner_pad).copy, hashlib.sha256(outer_pad).copy

    def digests(items: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        append = out.append
        for item in items:  # the one per-value Python loop of masking: keep it to these calls
            inner = inner_copy()
            inner.update(item)
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return out

    return digests


def _buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Int64 offsets and the uint8 data of a (large) binary array without nulls, its slice offset applied."""
    offset_type = np.int64 if pa.types.is_large_binary(values.type) else np.int32
    _, offsets, data = values.buffers()
    offsets = np.frombuffer(offsets, offset_type)[values.offset : values.offset + len(values) + 1]
    data = np.frombuffer(data, np.uint8) if data is not None and data.size else np.zeros(1, np.uint8)
    return offsets.astype(np.int64), data


def _as_binary(values: pa.Array) -> pa.Array:
    """The values' bytes as (large) binary: a free reinterpretation of strings, a cast for other types."""
    type_ = values.type
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return values
    if pa.types.is_string(type_):
        return values.view(pa.binary())
    if pa.types.is_large_string(type_):
        return values.view(pa.large_binary())
    if pa.types.is_binary_view(type_):
        return values.cast(pa.binary())
    return values.cast(pa.string()).view(pa.binary())
