"""Raw BSON elements: a document's elements as (type, name, value bytes), without decoding the values.

Time-series buckets are unpacked element by element: a measurement gets each value's exact bytes (an int64
stays an int64, a double keeps its bits), which decoding into Python values and encoding again would not
guarantee. Only the framing is checked here; the values are checked where documents are converted.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

from apollo_assets.errors import ApolloError

_I32 = struct.Struct("<i")
# Value sizes of the types whose values have a fixed size.
FIXED_SIZES = {
    0x01: 8,  # double
    0x06: 0,  # undefined
    0x07: 12,  # ObjectId
    0x08: 1,  # bool
    0x09: 8,  # UTC datetime
    0x0A: 0,  # null
    0x10: 4,  # int32
    0x11: 8,  # timestamp
    0x12: 8,  # int64
    0x13: 16,  # decimal128
    0x7F: 0,  # max key
    0xFF: 0,  # min key
}
STRING_LIKE = (0x02, 0x0D, 0x0E)  # string, JavaScript code, symbol: int32 length + bytes + NUL
DOCUMENT, ARRAY, BINARY = 0x03, 0x04, 0x05


class ElementError(ApolloError, ValueError):
    """The bytes are not a well-framed BSON element; `position` is where in the buffer it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        self.position = position
        super().__init__(f"{message} (at byte {position})")


class Element(NamedTuple):
    """One element: its type byte and its value's bytes (for a document or array, the whole embedded document)."""

    type: int
    value: bytes

    def encoded(self, name: bytes) -> bytes:
        """The element as it is written in a document under `name` (UTF-8, no NUL)."""
        return bytes((self.type,)) + name + b"\x00" + self.value


def _int32(buf: bytes, pos: int, end: int) -> int:
    if pos + 4 > end:
        raise ElementError("truncated length prefix", pos)
    return _I32.unpack_from(buf, pos)[0]


def _cstring_end(buf: bytes, pos: int, end: int) -> int:
    nul = buf.find(b"\x00", pos, end)
    if nul < 0:
        raise ElementError("unterminated name or string", pos)
    return nul


def value_size(buf: bytes, type_byte: int, pos: int, end: int) -> int:
    """The size of the value of type `type_byte` that starts at `pos` (and must end by `end`)."""
    if (size := FIXED_SIZES.get(type_byte)) is not None:
        pass
    elif type_byte in STRING_LIKE:
        size = 4 + _int32(buf, pos, end)
        if size < 5 or buf[pos + size - 1 : pos + size] != b"\x00":
            raise ElementError("string with a bad length prefix", pos)
    elif type_byte in (DOCUMENT, ARRAY, 0x0F):  # 0x0F: code with scope, int32 total size first
        size = _int32(buf, pos, end)
        if size < 5:
            raise ElementError("embedded document with a bad length prefix", pos)
    elif type_byte == BINARY:
        size = 5 + _int32(buf, pos, end)
        if size < 5:
            raise ElementError("binary with a negative length", pos)
    elif type_byte == 0x0B:  # regular expression: two C strings
        size = _cstring_end(buf, _cstring_end(buf, pos, end) + 1, end) + 1 - pos
    elif type_byte == 0x0C:  # DBPointer: string + ObjectId
        size = 4 + _int32(buf, pos, end) + 12
    else:
        raise ElementError(f"unknown BSON type 0x{type_byte:02x}", pos - 1)
    if pos + size > end:
        raise ElementError("value runs past the end of its document", pos)
    return size


def iter_elements(doc: bytes, start: int = 0) -> Iterator[tuple[bytes, Element]]:
    """(name, element) for each element of the document that starts at `start` in `doc`."""
    size = _int32(doc, start, len(doc))
    end = start + size
    if size < 5 or end > len(doc) or doc[end - 1] != 0:
        raise ElementError("document with a bad length prefix or no terminating 0x00", start)
    pos = start + 4
    while pos < end - 1:
        type_byte = doc[pos]
        name_end = _cstring_end(doc, pos + 1, end - 1)
        value_start = name_end + 1
        n = value_size(doc, type_byte, value_start, end - 1)
        yield doc[pos + 1 : name_end], Element(type_byte, doc[value_start : value_start + n])
        pos = value_start + n
    if pos != end - 1:
        raise ElementError("elements run past the end of their document", pos)


def elements(doc: bytes) -> dict[bytes, Element]:
    """The elements of a document by name (a repeated name: the last one wins, as in MongoDB's lookups)."""
    return dict(iter_elements(doc))


def document(fields: list[tuple[bytes, Element]]) -> bytes:
    """A BSON document of these (name, element) pairs, in order."""
    body = b"".join(element.encoded(name) for name, element in fields)
    return _I32.pack(len(body) + 5) + body + b"\x00"
