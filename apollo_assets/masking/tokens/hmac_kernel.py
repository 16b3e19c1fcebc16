"""HMAC-SHA256 tokens of a whole Arrow binary array in one compiled loop, on the OpenSSL that `hashlib` uses.

The Python loop of `hmac_arrays.digest_function` spends ~1.7 µs per value, mostly in the interpreter; the
hashing itself, with the CPU's SHA instructions, is a fraction of that. Here a numba kernel walks the array's
offsets and calls OpenSSL's SHA-256 (`SHA256_Update`/`SHA256_Final`) on a copy of the prepared inner and outer
states for each value, then writes the hex tokens straight into the output buffer (~0.3 µs per value).

The OpenSSL functions reach the kernel as arguments (numba's first-class function types), not as globals, so
the compiled kernel is cached on disk like the reader's. The library is the one `hashlib` loaded, found in the
process's memory map (Linux). Where it cannot be found, or where its tokens differ from the standard library's
on the self-check, `tokens` is None and `hmac_arrays` keeps its Python loop: the tokens are the same either way.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import hmac
from pathlib import Path

import numba.experimental.function_type  # noqa: F401  (registers numba's typing of first-class function objects)
import numpy as np
from numba import types
from numba.core.types import WrapperAddressProtocol

from apollo_assets.jit import jit

CONTEXT_BYTES = 128  # sizeof(SHA256_CTX) is 112 (eight state words, two counters, a 64-byte block, two ints)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UPDATE = types.int32(types.int64, types.int64, types.int64)  # (ctx*, data*, length) -> 1
_FINAL = types.int32(types.int64, types.int64)  # (digest*, ctx*) -> 1


class _Function(WrapperAddressProtocol):
    """A C function handed to the kernel by address (numba types it from `signature`)."""

    def __init__(self, function: ctypes._CFuncPtr, signature: types.Signature) -> None:
        self._function, self._signature = function, signature

    def __wrapper_address__(self) -> int:
        return ctypes.cast(self._function, ctypes.c_void_p).value

    def signature(self) -> types.Signature:
        return self._signature


@jit()
def _hmac_hex(offsets, data, inner, outer, update, final, hexdigits, chars):
    """The first `chars` hex digits of each value's HMAC, all values' tokens in one buffer."""
    count = len(offsets) - 1
    out = np.empty(count * chars, dtype=np.uint8)
    context = np.empty(CONTEXT_BYTES, dtype=np.uint8)
    digest = np.empty(32, dtype=np.uint8)
    at_context, at_digest = np.int64(context.ctypes.data), np.int64(digest.ctypes.data)
    at_data = np.int64(data.ctypes.data)
    for i in range(count):
        context[:] = inner
        update(at_context, at_data + offsets[i], offsets[i + 1] - offsets[i])
        final(at_digest, at_context)
        context[:] = outer
        update(at_context, at_digest, np.int64(32))
        final(at_digest, at_context)
        for j in range(chars // 2):
            byte = digest[j]
            out[i * chars + 2 * j] = hexdigits[byte >> 4]
            out[i * chars + 2 * j + 1] = hexdigits[byte & 15]
    return out


class _OpenSSL:
    def __init__(self, library: ctypes.CDLL) -> None:
        self._init, self._update_c = library.SHA256_Init, library.SHA256_Update
        self._init.argtypes, self._init.restype = [ctypes.c_void_p], ctypes.c_int
        self._update_c.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        self.update = _Function(library.SHA256_Update, _UPDATE)
        self.final = _Function(library.SHA256_Final, _FINAL)

    def prepared(self, block: bytes) -> np.ndarray:
        """The SHA-256 state after one 64-byte block (HMAC's key xor pad)."""
        context = np.zeros(CONTEXT_BYTES, dtype=np.uint8)
        self._init(context.ctypes.data)
        self._update_c(context.ctypes.data, block, len(block))
        return context

    def tokens(self, offsets: np.ndarray, data: np.ndarray, secret: bytes, chars: int) -> np.ndarray:
        inner, outer = map(self.prepared, key_pads(secret))
        return _hmac_hex(offsets, data, inner, outer, self.update, self.final, _HEX, chars)


def key_pads(secret: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer key blocks (RFC 2104): the key (hashed first when longer than a block), zero-padded
    to SHA-256's 64 bytes, xor 0x36 and xor 0x5C."""
    block = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def tokens(offsets: np.ndarray, data: np.ndarray, secret: bytes, chars: int) -> np.ndarray | None:
    """Hex tokens (``chars`` each, concatenated) of the values ``data[offsets[i]:offsets[i+1]]`` (int64
    offsets, uint8 data), or None when the compiled path is not available here."""
    openssl = _openssl()
    return None if openssl is None else openssl.tokens(offsets, data, secret, chars)


def warm() -> None:
    """Load (or compile, the first time) the kernel, and run the self-check."""
    _openssl()


@functools.cache
def _openssl() -> _OpenSSL | None:
    path = _hashlib_libcrypto()  # never another libcrypto found by name (macOS aborts on its system one)
    try:
        openssl = _OpenSSL(ctypes.CDLL(path)) if path else None
    except (OSError, AttributeError):  # no such library, or one without the SHA256_* functions
        return None
    return openssl if openssl is not None and _agrees(openssl) else None


def _hashlib_libcrypto() -> str | None:
    """The libcrypto that `hashlib` is linked to, from this process's memory map (Linux)."""
    import _hashlib  # noqa: F401  (loads the library)

    maps = Path("/proc/self/maps")
    if not maps.exists():
        return None
    for line in maps.read_text().splitlines():
        path = line.split()[-1]
        if "/libcrypto" in path:
            return path
    return None


def _agrees(openssl: _OpenSSL) -> bool:
    """Whether the kernel gives the standard library's tokens, on lengths around SHA-256's block boundaries."""
    values = [bytes(range(n % 256)) * (1 + n // 256) for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 300)]
    data = np.frombuffer(b"".join(values) or b"\0", dtype=np.uint8)
    offsets = np.cumsum([0, *map(len, values)], dtype=np.int64)
    for secret in (b"apollo-self-check", b"k" * 65):
        expected = b"".join(hmac.new(secret, v, hashlib.sha256).hexdigest()[:32].encode() for v in values)
        if openssl.tokens(offsets, data, secret, 32).tobytes() != expected:
            return False
    return True
