"""The fast path's byte loops, compiled by numba: framing documents, walking elements, numbering keys, hopping over
documents.

Each kernel reads a chunk's bytes (`Buffer.u8`, zero-padded by `buffer.PAD`) and returns plain arrays; a kernel
that meets something it does not handle returns an error code instead of raising, and `walk`/`keys` turn the
code into `Unsupported`. Compiled code is cached on disk (`apollo_assets.jit`). numba checks a cached kernel
against its own file only: after changing a helper here that another module's kernels inline (`element`,
`value_at`, `framed`, `_i32`), delete `apollo_assets/mongo/fast/__pycache__/*.nb*`.
"""

from __future__ import annotations

import numpy as np

from apollo_assets.jit import jit

# Error codes of `walk_elements` (0: none); `walk.ERRORS` gives their messages.
BAD_FRAME, UNKNOWN_TYPE, SHORT_LENGTH, OVERRUN, KEY_PAST_END, LONG_KEY = 1, 2, 3, 4, 5, 6
MAX_KEY = 255  # longer keys take the decoding path

_FIXED = np.full(256, -3, dtype=np.int64)  # value sizes; -1: int32-sized, -2: regex, -3: unknown type
for _t, _n in {1: 8, 6: 0, 7: 12, 8: 1, 9: 8, 10: 0, 16: 4, 17: 8, 18: 8, 19: 16, 127: 0, 255: 0}.items():
    _FIXED[_t] = _n
for _t in (2, 3, 4, 5, 12, 13, 14, 15):
    _FIXED[_t] = -1
_FIXED[11] = -2
_EXTRA = np.zeros(256, dtype=np.int64)  # bytes beyond the declared int32
_EXTRA[[2, 13, 14]] = 4  # string-like: int32 length, then the bytes (with their NUL)
_EXTRA[5] = 5  # binary: int32 length, subtype byte, bytes
_EXTRA[12] = 16  # DBPointer: a string, then 12 bytes of ObjectId
_MIN_DECLARED = np.zeros(256, dtype=np.int64)
_MIN_DECLARED[[2, 13, 14, 12]] = 1
_MIN_DECLARED[[3, 4]] = 5
_MIN_DECLARED[15] = 14


@jit(inline="always")
def _u32(u8: np.ndarray, at: int) -> int:
    return np.int64(u8[at]) | (np.int64(u8[at + 1]) << 8) | (np.int64(u8[at + 2]) << 16) | (np.int64(u8[at + 3]) << 24)


@jit(inline="always")
def _i32(u8: np.ndarray, at: int) -> int:
    v = _u32(u8, at)
    return v - (1 << 32) if v >= (1 << 31) else v


@jit(inline="always")
def element(u8, size, pos, stop, fixed, extra, min_declared):
    """The element at `pos` of a document whose trailing NUL is at `stop`: (type, its key's NUL, value start,
    value end, error code, detail); the error code is 0 when the element is sound."""
    t = np.int64(u8[pos])
    k = pos + 1
    limit = min(k + MAX_KEY + 1, size)
    while k < limit and u8[k] != 0:
        k += 1
    if k >= size:
        return t, k, 0, 0, KEY_PAST_END, pos
    if u8[k] != 0:
        return t, k, 0, 0, LONG_KEY, pos
    return value_at(u8, size, pos, k, stop, fixed, extra, min_declared)


@jit(inline="always")
def value_at(u8, size, pos, k, stop, fixed, extra, min_declared):
    """`element`, once the key's NUL `k` is known."""
    t = np.int64(u8[pos])
    vs = k + 1
    width = fixed[t]
    if width == -3:
        return t, k, 0, 0, UNKNOWN_TYPE, t
    if width == -1:
        declared = _i32(u8, vs) if vs + 4 <= size else 0
        if declared < min_declared[t]:
            return t, k, 0, 0, SHORT_LENGTH, pos
        width = declared + extra[t]
    elif width == -2:
        p = vs
        while p < size and u8[p] != 0:
            p += 1
        p += 1
        while p < size and u8[p] != 0:
            p += 1
        width = p + 1 - vs
    ve = vs + width
    if ve > stop or k >= stop:
        return t, k, vs, ve, OVERRUN, pos
    return t, k, vs, ve, 0, 0


@jit(inline="always")
def framed(u8, s, e) -> bool:
    """Whether `u8[s:e]` has a BSON document's frame: its length prefix, at least 5 bytes, a trailing NUL."""
    return e - s >= 5 and _i32(u8, s) == e - s and u8[e - 1] == 0


@jit()
def _walk(u8, size, starts, ends, fixed, extra, min_declared, out, fill):
    """Counts (and checks) the elements, or, with `fill`, writes them into `out` (6 rows, one column each)."""
    n = len(starts)
    count = 0
    for d in range(n):
        s, e = starts[d], ends[d]
        if not framed(u8, s, e):
            return count, BAD_FRAME, d
        pos, stop = s + 4, e - 1
        while pos < stop:
            t, k, vs, ve, error, detail = element(u8, size, pos, stop, fixed, extra, min_declared)
            if error:
                return count, error, detail
            if fill:
                out[0, count], out[1, count], out[2, count] = d, t, pos + 1
                out[3, count], out[4, count], out[5, count] = k, vs, ve
            count += 1
            pos = ve
    return count, 0, 0


def walk_elements(u8: np.ndarray, size: int, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Rows parent, type, key start, key end (its NUL), value start, value end of every element, in document
    order; and an error code (0: none) with its detail (document index, byte offset or type)."""
    starts, ends = starts.astype(np.int64, copy=False), ends.astype(np.int64, copy=False)
    out = np.empty((6, 0), dtype=np.int64)
    count, error, detail = _walk(u8, size, starts, ends, _FIXED, _EXTRA, _MIN_DECLARED, out, False)
    if error:
        return out, error, detail
    out = np.empty((6, count), dtype=np.int64)  # a second walk fills exactly sized rows
    _walk(u8, size, starts, ends, _FIXED, _EXTRA, _MIN_DECLARED, out, True)
    return out, 0, 0


@jit(inline="always")
def same_bytes(a, a_start, a_end, b, b_start, b_end) -> bool:
    """Whether `a[a_start:a_end]` and `b[b_start:b_end]` hold the same bytes."""
    if a_end - a_start != b_end - b_start:
        return False
    for i in range(a_end - a_start):  # noqa: SIM110  (numba compiles loops, not generators)
        if a[a_start + i] != b[b_start + i]:
            return False
    return True


@jit()
def _lookup(u8, key_start, key_end, i, h, table, slots, first, hashes) -> tuple[int, int]:
    """The id of element i's key (-1: new) and the table slot where it is, or would go."""
    slot = np.int64(h & np.uint64(slots - 1))
    while True:
        code = table[slot]
        if code < 0:
            return -1, slot
        j = first[code]
        if hashes[code] == h and same_bytes(u8, key_start[i], key_end[i], u8, key_start[j], key_end[j]):
            return code, slot
        slot = (slot + 1) & (slots - 1)


@jit()
def key_codes(u8: np.ndarray, parent: np.ndarray, key_start: np.ndarray, key_end: np.ndarray) -> tuple[np.ndarray, ...]:
    """An id per element, equal for equal keys (compared byte for byte: a hash collision cannot merge two keys);
    each id's first element, and its lowest key start.

    Documents of a collection mostly repeat one order of keys: the key that followed the previous one last time
    is tried first, by comparing bytes, before hashing."""
    n = len(key_start)
    codes = np.empty(n, dtype=np.int64)
    slots = 64
    table = np.full(slots, -1, dtype=np.int64)  # id per slot
    first = np.empty(16, dtype=np.int64)
    earliest = np.empty(16, dtype=np.int64)
    hashes = np.empty(16, dtype=np.uint64)
    after = np.full(17, -1, dtype=np.int64)  # the id that followed each id last time; [-1]: a document's first
    unique = 0
    previous = -1
    for i in range(n):
        if i == 0 or parent[i] != parent[i - 1]:
            previous = -1
        code = after[previous]
        if code < 0 or not same_bytes(u8, key_start[i], key_end[i], u8, key_start[first[code]], key_end[first[code]]):
            h = np.uint64(14695981039346656037)
            for p in range(key_start[i], key_end[i]):
                h = (h ^ np.uint64(u8[p])) * np.uint64(1099511628211)
            code, slot = _lookup(u8, key_start, key_end, i, h, table, slots, first, hashes)
            if code < 0:
                code = unique
                unique += 1
                if unique > len(first):
                    first = np.concatenate((first, np.empty(len(first), dtype=np.int64)))
                    earliest = np.concatenate((earliest, np.empty(len(earliest), dtype=np.int64)))
                    hashes = np.concatenate((hashes, np.empty(len(hashes), dtype=np.uint64)))
                    grown = np.full(len(first) + 1, -1, dtype=np.int64)
                    grown[: len(after) - 1] = after[:-1]
                    grown[-1] = after[-1]
                    after = grown
                first[code], hashes[code], earliest[code] = i, h, key_start[i]
                table[slot] = code
                if unique * 2 > slots:  # keep the table at most half full
                    slots *= 4
                    table = np.full(slots, -1, dtype=np.int64)
                    for c in range(unique):
                        s = np.int64(hashes[c] & np.uint64(slots - 1))
                        while table[s] >= 0:
                            s = (s + 1) & (slots - 1)
                        table[s] = c
            after[previous] = code
        codes[i] = code
        previous = code
        if key_start[i] < earliest[code]:
            earliest[code] = key_start[i]
    return codes, first[:unique].copy(), earliest[:unique].copy()


# Outcomes of `frame_documents` besides running out of bytes (0).
NEED_MORE, TERMINATED, BAD_LENGTH, NO_TRAILING_NUL = 1, 2, 3, 4


@jit()
def frame_documents(u8, start, end, limit, min_bytes, max_bytes, terminator):
    """Document boundaries in `u8[start:end]` from their length prefixes, starting documents before `limit`:
    (boundaries, where it stopped, outcome, the length prefix there). A prefix equal to `terminator` (an
    archive's segment end; -1: none) ends the segment instead of being a bad length."""
    bounds = np.empty(max(16, (min(limit, end) - start) // 64 + 2), dtype=np.int64)
    count, p, outcome, n = 0, start, 0, 0
    while p + 4 <= end and p < limit:
        n = _u32(u8, p)
        if n < min_bytes or n > max_bytes:
            outcome = TERMINATED if n == terminator else BAD_LENGTH
            break
        if p + n > end:
            outcome = NEED_MORE
            break
        if u8[p + n - 1] != 0:
            outcome = NO_TRAILING_NUL
            break
        if count + 1 >= len(bounds):
            grown = np.empty(len(bounds) * 2, dtype=np.int64)
            grown[:count] = bounds[:count]
            bounds = grown
        bounds[count] = p
        count += 1
        p += n
    bounds[count] = p
    return bounds[: count + 1 if count else 0].copy(), p, outcome, n


@jit()
def hop(u8: np.ndarray, pos: int, target: int) -> int:
    """From the document at `pos`, hopping over length prefixes, the first boundary at or past `target` (or the
    end of `u8`); -1 at a length prefix below 5 (the reader reports that bad frame with its offset)."""
    while pos < target and pos + 4 <= len(u8):
        n = _i32(u8, pos)
        if n < 5:
            return -1
        pos += n
    return pos


def warm() -> None:
    """Load (or compile, the first time) every kernel, on input too small to cost anything."""
    u8, none = np.zeros(32, dtype=np.uint8), np.zeros(0, dtype=np.int64)
    walk_elements(u8, 0, none, none)
    key_codes(u8, none, none, none)
    frame_documents(np.frombuffer(bytes(8), np.uint8), 0, 0, 0, 5, 16, -1)  # read-only, as from `bytes`
    hop(np.frombuffer(bytes(8), np.uint8), 0, 0)  # read-only, as from a memory map
