"""Walking the elements of many BSON documents at once: round r reads element r of every document still open.

An element is `type byte, key (C string), value`; the value's size follows from its type (and, for most
variable types, from an int32 at its start). Whatever would make pymongo refuse the framing raises Unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apollo_assets.mongo.fast.buffer import Buffer, Unsupported
from apollo_assets.mongo.fast.cstrings import scan_cstrings

# Value sizes of the fixed-size types; -1: sized by an int32 at the value's start (plus `_EXTRA`); -2: regex.
_SIZE = np.full(256, -3, dtype=np.int64)
for _t, _n in {1: 8, 6: 0, 7: 12, 8: 1, 9: 8, 10: 0, 16: 4, 17: 8, 18: 8, 19: 16, 127: 0, 255: 0}.items():
    _SIZE[_t] = _n
for _t in (2, 3, 4, 5, 12, 13, 14, 15):
    _SIZE[_t] = -1
_SIZE[11] = -2
_EXTRA = np.zeros(256, dtype=np.int64)
_EXTRA[[2, 13, 14]] = 4  # string-like: int32 length, then the bytes (with their NUL)
_EXTRA[5] = 5  # binary: int32 length, subtype byte, bytes
_EXTRA[12] = 16  # DBPointer: a string, then 12 bytes of ObjectId
_MIN_DECLARED = np.zeros(256, dtype=np.int64)
_MIN_DECLARED[[2, 13, 14, 12]] = 1
_MIN_DECLARED[[3, 4]] = 5
_MIN_DECLARED[15] = 14


@dataclass
class Elements:
    """Elements in round order (element 0 of every document, then element 1, ...); `parent` is the index of the
    document each belongs to. `in_document_order()` sorts them, for the items of arrays."""

    parent: np.ndarray
    type: np.ndarray
    key_start: np.ndarray
    key_end: np.ndarray  # the key's NUL
    value_start: np.ndarray
    value_end: np.ndarray
    key_words: np.ndarray  # the keys' bytes, 8 per column, zero-padded (see `cstrings`)

    def __len__(self) -> int:
        return len(self.parent)

    def in_document_order(self) -> Elements:
        # Each round is sorted by parent: a stable sort only merges the runs.
        order = np.argsort(self.parent, kind="stable")
        columns = (self.parent, self.type, self.key_start, self.key_end, self.value_start, self.value_end)
        words = self.key_words[order] if len(self.key_words) else self.key_words
        return Elements(*(c[order] for c in columns), words)


def _value_end(buf: Buffer, t: np.ndarray, vs: np.ndarray) -> np.ndarray:
    size = _SIZE[t]
    if (size == -3).any():
        raise Unsupported(f"unknown BSON type {int(t[size == -3][0])}")
    variable = size == -1
    if variable.any():
        declared = buf.i32[vs[variable]].astype(np.int64)
        kinds = t[variable]
        if (declared < _MIN_DECLARED[kinds]).any():
            raise Unsupported("a declared length is too small")
        size[variable] = declared + _EXTRA[kinds]
    regex = size == -2
    if regex.any():
        pattern_end = buf.next_nul(vs[regex])
        size[regex] = buf.next_nul(pattern_end + 1) + 1 - vs[regex]
    return vs + size


def walk(buf: Buffer, starts: np.ndarray, ends: np.ndarray, keys: bool = True) -> Elements:
    """The elements of documents `buf[starts[i]:ends[i]]` (each a whole BSON document, length checked).

    `keys=False` (arrays, whose keys are only indices) keeps no key words.
    """
    if len(starts) and ((ends - starts < 5) | (buf.i32[starts] != ends - starts) | (buf.u8[ends - 1] != 0)).any():
        raise Unsupported("a document's length prefix or trailing NUL is wrong")
    doc = np.arange(len(starts), dtype=np.int64)
    pos, stop = starts + 4, ends - 1
    open_ = pos < stop
    doc, pos, stop = doc[open_], pos[open_], stop[open_]
    rounds: list[tuple[np.ndarray, ...]] = []
    while len(doc):
        t = buf.u8[pos].astype(np.int64)
        ke, words = scan_cstrings(buf, pos + 1, keys)
        vs = ke + 1
        ve = _value_end(buf, t, vs)
        if (ve > stop).any() or (ke >= stop).any():
            raise Unsupported("an element runs past the end of its document")
        rounds.append((doc, t, pos + 1, ke, vs, ve, words))
        more = ve < stop
        doc, pos, stop = doc[more], ve[more], stop[more]
    if not rounds:
        empty = np.zeros(0, dtype=np.int64)
        return Elements(empty, empty, empty, empty, empty, empty, np.zeros((0, 1), dtype=np.uint64))
    width = max(r[-1].shape[1] for r in rounds)
    rounds = [(*r[:-1], np.pad(r[-1], ((0, 0), (0, width - r[-1].shape[1])))) for r in rounds]
    return Elements(*(np.concatenate(c) for c in zip(*rounds, strict=True)))
