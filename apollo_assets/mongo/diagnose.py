"""Finds which field of an undecodable document is broken, so a quarantine entry can name it.

Only runs for documents that already failed to decode: it walks the elements in Python and decodes
them one at a time, descending into the sub-document or array that fails.
"""

from __future__ import annotations

import struct

import bson

from apollo_assets.mongo.codec import DECODE_OPTIONS

_FIXED = {1: 8, 6: 0, 7: 12, 8: 1, 9: 8, 10: 0, 16: 4, 17: 8, 18: 8, 19: 16, 127: 0, 255: 0}
_int32 = struct.Struct("<i").unpack_from


def _value_end(raw: bytes, t: int, start: int) -> int | None:
    """Offset just past a value starting at `start`, or None when the type code is unknown."""
    if t in _FIXED:
        return start + _FIXED[t]
    if t == 11:  # regex: two C strings
        return raw.index(b"\x00", raw.index(b"\x00", start) + 1) + 1
    length = _int32(raw, start)[0]
    extra = {2: 4, 13: 4, 14: 4, 12: 16, 5: 5, 3: 0, 4: 0, 15: 0}.get(t)
    return None if extra is None else start + extra + length


def broken_field(raw: bytes, prefix: str = "") -> str | None:
    """Dotted path of the first element that does not decode (None if none is found)."""
    pos, end = 4, len(raw) - 1
    while pos < end:
        t = raw[pos]
        key_end = raw.find(b"\x00", pos + 1, end)
        if key_end < 0:
            return prefix or None
        name = raw[pos + 1 : key_end].decode("utf-8", "replace")
        path = f"{prefix}.{name}" if prefix else name
        try:
            value_end = _value_end(raw, t, key_end + 1)
        except (ValueError, struct.error):
            return path
        if value_end is None or not key_end < value_end <= end:
            return path
        element = raw[pos:value_end]
        try:
            bson.decode(struct.pack("<i", len(element) + 5) + element + b"\x00", DECODE_OPTIONS)
        except Exception:  # pymongo raises several types for corrupt input; all mean "this element"
            if t in (3, 4):
                return broken_field(raw[key_end + 1 : value_end], path) or path
            return path
        pos = value_end
    return None


def describe_decode_error(exc: Exception, raw: bytes) -> str:
    try:
        where = broken_field(raw)
    except (IndexError, ValueError, struct.error):  # too broken to walk: the decoder's message must do
        where = None
    return f"{type(exc).__name__}: {exc}" + (f" (field {where!r})" if where else "")
