"""Decoder of MongoDB's BSON Column binary (BinData subtype 7): the compressed columns of time-series buckets.

Written from MongoDB's published description of the format (`src/mongo/bson/column/README.md` and the
Simple-8b notes of `simple8b_helpers.h` in mongodb/mongo). A column is a sequence of parts, each starting with
a control byte, ended by a 0x00 byte:

- **literal** (control byte 0x01-0x1F, 0x7F or 0xFF): one BSON element with an empty name, the control byte
  being its type. It is a value of the column and the base of the deltas that follow.
- **Simple-8b blocks** (control byte 0x80-0xDF): `(control & 0x0F) + 1` little-endian 64-bit blocks of
  deltas from the previous value; the high nibble is the scale of doubles (0x8: the value's bits as an
  integer, 0x9-0xD: the value times 1, 10, 100, 10^4 or 10^8). A block's low 4 bits are its selector (how
  many values of how many bits; 7 and 8 have extended forms whose values carry a count of trailing zeros; 15
  repeats the last value 120 x (n + 1) times). A slot of all ones is a missing value (the measurement has no
  such field); values are zigzag-encoded. ObjectId, date and timestamp store deltas of deltas; strings
  (up to 16 bytes), binaries (up to 16 bytes) and decimals are 128-bit; values of other types only repeat.
- **interleaved objects** (control byte 0xF0, 0xF1 or 0xF2): a reference object whose scalar fields (0xF0:
  not descending into arrays; 0xF1, 0xF2: arrays too; 0xF2: the values are arrays) each get their own stream
  of the parts above, their blocks interleaved in the order the decoder asks for them; a 0x00 ends the
  objects. A field missing from an object is left out, an object left empty is missing.

`decode_column(binary)` returns one `Element` (type and raw value bytes, exactly as BSON writes them) or None
(missing) per position. Anything malformed raises `ColumnError` naming the byte position in the binary.
"""

from __future__ import annotations

import math
import struct
from collections import deque

from apollo_assets.errors import ApolloError
from apollo_assets.mongo.bson_elements import (
    ARRAY,
    DOCUMENT,
    Element,
    ElementError,
    document,
    iter_elements,
    value_size,
)

__all__ = ["ColumnError", "decode_column"]

_M64 = (1 << 64) - 1
_M128 = (1 << 128) - 1
_DOUBLE = struct.Struct("<d")
_I32 = struct.Struct("<i")

END = 0x00
DOUBLE, STRING, BINARY, OBJECT_ID, BOOL, DATE, CODE, CODE_W_SCOPE = 0x01, 0x02, 0x05, 0x07, 0x08, 0x09, 0x0D, 0x0F
INT32, TIMESTAMP, INT64, DECIMAL = 0x10, 0x11, 0x12, 0x13
INTERLEAVED = {0xF0: (False, DOCUMENT), 0xF1: (True, DOCUMENT), 0xF2: (True, ARRAY)}  # arrays walked, root type
WIDE_TYPES = frozenset((STRING, CODE, BINARY, DECIMAL))  # their deltas are 128-bit
DELTA_OF_DELTA_TYPES = frozenset((OBJECT_ID, DATE, TIMESTAMP))

# Scaled doubles: the high nibble of a Simple-8b control byte -> scale index; index 5 stores the bits as they are.
SCALES = (1.0, 10.0, 100.0, 10000.0, 100000000.0)
RAW = 5
_SCALE_OF_NIBBLE = {0x8: RAW, 0x9: 0, 0xA: 1, 0xB: 2, 0xC: 3, 0xD: 4}
_TWO_53 = float(1 << 53)

# Simple-8b: bits per value of the base selectors 1-14 (selectors 7 and 8 start their values at bit 8).
_BASE_BITS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 60)
# Extended selectors: (value bits, trailing-zero count bits, zeros per count) by extension.
_EXTENDED_7 = {e: (bits, 4, 1) for e, bits in enumerate((2, 3, 4, 5, 7, 10, 14, 24, 52), start=1)}
_EXTENDED_8 = {e: (bits, 4, 4) for e, bits in enumerate((4, 5, 7, 10, 14, 24, 52), start=1)} | {
    e: (bits, 5, 4) for e, bits in enumerate((4, 6, 9, 13, 23, 51), start=8)
}
RLE_SELECTOR, RLE_RUN = 15, 120


class ColumnError(ApolloError, ValueError):
    """A BSON Column that cannot be decoded; `position` is the byte of the binary where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        self.problem, self.position = message, position
        super().__init__(f"{message} (byte {position} of the column)")


def simple8b_values(word: int, previous: int | None, wide: bool, position: int) -> list[int | None]:
    """The raw (zigzag-encoded, unsigned) values of one Simple-8b block, None for a missing one. `previous` is
    the last value before this block: a run-length block repeats it."""
    selector = word & 0xF
    if selector == 0:
        raise ColumnError("Simple-8b block with selector 0", position)
    if selector == RLE_SELECTOR:
        return [previous] * ((((word >> 4) & 0xF) + 1) * RLE_RUN)
    extension = (word >> 4) & 0xF if selector in (7, 8) else 0
    if extension:
        table = _EXTENDED_7 if selector == 7 else _EXTENDED_8
        if extension not in table:
            raise ColumnError(f"Simple-8b block with selector {selector} and unknown extension {extension}", position)
        value_bits, count_bits, zeros = table[extension]
        width = value_bits + count_bits
        slot_mask, value_mask, count_mask = (1 << width) - 1, (1 << value_bits) - 1, (1 << count_bits) - 1
        payload, out = word >> 8, []
        for _ in range(56 // width):
            slot = payload & slot_mask
            if slot == slot_mask:
                out.append(None)
            else:
                shift = (slot & count_mask) * zeros
                out.append((((slot >> count_bits) & value_mask) << (shift if wide else shift % 64)) & _M128)
            payload >>= width
        return out
    bits = _BASE_BITS[selector]
    mask = (1 << bits) - 1
    payload, out = word >> (8 if selector in (7, 8) else 4), []
    for _ in range(60 // bits):
        slot = payload & mask
        out.append(None if slot == mask else slot)
        payload >>= bits
    return out


def _unzigzag(raw: int) -> int:
    return (raw >> 1) ^ -(raw & 1)


def _llround(x: float) -> int:
    """C's llround: to the nearest integer, halves away from zero (exact for doubles below 2^53)."""
    floor = math.floor(x)
    fraction = x - floor
    return floor + 1 if fraction > 0.5 or (fraction == 0.5 and x > 0) else floor


def encode_double(value: bytes, scale: int) -> int | None:
    """A double as the integer its deltas are taken from at `scale`; None when it has no exact form there."""
    if scale == RAW:
        return int.from_bytes(value, "little")
    number = _DOUBLE.unpack(value)[0]
    multiplier = SCALES[scale]
    scaled = number * multiplier
    if not (-_TWO_53 <= scaled <= _TWO_53):  # also false for NaN
        return None
    encoded = _llround(scaled)
    if _DOUBLE.pack(encoded / multiplier) != value:  # must give back the very bits (0.0 is not -0.0)
        return None
    return encoded & _M64


def _object_id_encoding(oid: bytes) -> int:
    """The 7 bytes of an ObjectId that its deltas change: timestamp and counter, interleaved little-endian."""
    return int.from_bytes(bytes((oid[11], oid[3], oid[10], oid[2], oid[9], oid[1], oid[0], 0)), "little")


def _object_id(encoded: int, previous: bytes) -> bytes:
    e = encoded.to_bytes(8, "little")
    return bytes((e[6], e[5], e[3], e[1])) + previous[4:9] + bytes((e[4], e[2], e[0]))


def _wide_encoding(element: Element) -> int:
    value = element.value
    if element.type in (STRING, CODE):
        text = value[4:-1]
        if len(text) > 16 or text[:1] == b"\x00":
            return 0
        return int.from_bytes(text[::-1].ljust(16, b"\x00"), "little")
    if element.type == BINARY:
        data = value[5:]
        return int.from_bytes(data.ljust(16, b"\x00"), "little") if len(data) <= 16 else 0
    return int.from_bytes(value, "little")  # decimal128: low 64 bits first


def _narrow_encoding(element: Element) -> int:
    t, value = element.type, element.value
    if t == OBJECT_ID:
        return _object_id_encoding(value)
    if t in (DATE, INT64, TIMESTAMP):
        return int.from_bytes(value, "little")
    if t == INT32:
        return int.from_bytes(value, "little", signed=True) & _M64
    if t == BOOL:
        return 1 if value[0] else 0
    return 0  # doubles get theirs from the scale of the blocks; other types only repeat


class _Stream:
    """The decoding state of one stream of values: the whole column, or one field of interleaved objects."""

    __slots__ = ("base", "dod", "encoded", "last", "pending", "previous", "scale", "wide")

    def __init__(self, last: Element | None = None) -> None:
        self.last = last  # the last value (None: no value yet, or the last object was missing)
        self.wide = False  # 128-bit deltas
        self.dod = False  # deltas of deltas
        self.encoded = 0  # the last value as an integer (for deltas of deltas: the last delta)
        self.base = 0  # deltas of deltas: the last value as an integer
        self.scale = RAW
        self.previous: int | None = 0  # the last Simple-8b value, repeated by a run-length block
        self.pending: deque[int | None] = deque()

    def load_literal(self, element: Element, position: int) -> Element:
        if element.type == CODE_W_SCOPE:
            raise ColumnError("code with scope cannot be a column value", position)
        self.last, self.pending, self.previous, self.scale = element, deque(), 0, RAW
        self.wide = element.type in WIDE_TYPES
        self.dod = not self.wide and element.type in DELTA_OF_DELTA_TYPES
        if self.wide:
            self.encoded = _wide_encoding(element)
        elif self.dod:
            self.base, self.encoded = _narrow_encoding(element), 0
        else:
            self.encoded = _narrow_encoding(element)
        return element

    def load_blocks(self, control: int, blocks: bytes, position: int) -> None:
        scale = _SCALE_OF_NIBBLE.get(control >> 4)
        if scale is None:
            raise ColumnError(f"unknown control byte 0x{control:02x}", position)
        if self.last is not None and self.last.type == DOUBLE and not self.wide:
            encoded = encode_double(self.last.value, scale)
            if encoded is None:
                raise ColumnError("a double that its block's scale cannot represent", position)
            self.encoded = encoded
        elif scale != RAW:
            problem = f"scaled block (control byte 0x{control:02x}) after a value that is not a double"
            raise ColumnError(problem, position)
        self.scale = scale
        previous, values = self.previous, []
        for k in range(0, len(blocks), 8):
            block = simple8b_values(int.from_bytes(blocks[k : k + 8], "little"), previous, self.wide, position + 1 + k)
            if block:
                previous = block[-1]
            values.extend(block)
        self.previous = previous
        self.pending.extend(values)

    def next_value(self, position: int) -> Element | None:
        raw = self.pending.popleft()
        if raw is None or self.last is None:
            return None
        if self.wide:
            delta = _unzigzag(raw)
            if delta == 0:
                return self.last
            self.encoded = (self.encoded + delta) & _M128
            self.last = self._wide_value(position)
            return self.last
        delta = _unzigzag(raw & _M64)
        if delta == 0 and not self.dod:
            return self.last
        self.encoded = (self.encoded + delta) & _M64
        if self.dod:
            self.base = (self.base + self.encoded) & _M64
        self.last = self._narrow_value(self.base if self.dod else self.encoded, position)
        return self.last

    def _narrow_value(self, value: int, position: int) -> Element:
        assert self.last is not None
        t = self.last.type
        if t == DOUBLE:
            if self.scale == RAW:
                return Element(t, value.to_bytes(8, "little"))
            signed = value - (1 << 64) if value >> 63 else value
            return Element(t, _DOUBLE.pack(signed / SCALES[self.scale]))
        if t == OBJECT_ID:
            return Element(t, _object_id(value, self.last.value))
        if t in (DATE, INT64, TIMESTAMP):
            return Element(t, value.to_bytes(8, "little"))
        if t == BOOL:
            return Element(t, b"\x01" if value else b"\x00")
        if t == INT32:
            return Element(t, (value & 0xFFFFFFFF).to_bytes(4, "little"))
        raise ColumnError(f"a changing value of BSON type 0x{t:02x}, which can only repeat", position)

    def _wide_value(self, position: int) -> Element:
        assert self.last is not None
        t, raw = self.last.type, self.encoded.to_bytes(16, "little")
        if t in (STRING, CODE):
            text = raw.rstrip(b"\x00")[::-1]
            return Element(t, _I32.pack(len(text) + 1) + text + b"\x00")
        if t == BINARY:
            size = _I32.unpack_from(self.last.value)[0]
            if size > 16:
                raise ColumnError("a changing binary longer than 16 bytes", position)
            return Element(t, self.last.value[:5] + raw[:size])
        return Element(t, raw)  # decimal128

    def read_part(self, column: bytes, pos: int) -> tuple[int, Element | None]:
        """Read the part at `pos` (a literal or Simple-8b blocks) into this stream: (next position, its first value)."""
        control = column[pos]
        if (control & 0xE0) == 0 or control in (0x7F, 0xFF):
            if pos + 1 >= len(column) or column[pos + 1] != 0:
                raise ColumnError("literal without its empty field name", pos)
            try:
                size = value_size(column, control, pos + 2, len(column))
            except ElementError as error:
                raise ColumnError(f"malformed literal: {error}", pos) from None
            end = pos + 2 + size
            return end, self.load_literal(Element(control, column[pos + 2 : end]), pos)
        end = pos + 1 + 8 * ((control & 0x0F) + 1)
        if end >= len(column):
            raise ColumnError("Simple-8b blocks run past the end of the column", pos)
        self.load_blocks(control, column[pos + 1 : end], pos)
        return end, self.next_value(pos)


def decode_column(column: bytes) -> list[Element | None]:
    """The values of a BSON Column binary, in order; None where a value is missing."""
    if not column:
        raise ColumnError("empty column", 0)
    out: list[Element | None] = []
    stream, pos = _Stream(), 0
    while True:
        if pos >= len(column):
            raise ColumnError("column ends without its 0x00 terminator", pos)
        control = column[pos]
        if control == END:
            if pos + 1 != len(column):
                raise ColumnError(f"{len(column) - pos - 1} bytes after the column's 0x00 terminator", pos + 1)
            return out
        if control in INTERLEAVED:
            pos, last = _interleaved(column, pos, out)
            stream = _Stream(last)  # values after interleaved objects are deltas from the last object
            continue
        pos, value = stream.read_part(column, pos)
        out.append(value)
        while stream.pending:
            out.append(stream.next_value(pos))


# An interleaved reference object as a tree: (name, leaf stream index) or (name, type, allow empty, children).
_Node = tuple


def _schema(reference: bytes, arrays: bool, streams: list[_Stream], position: int) -> list[_Node]:
    nodes: list[_Node] = []
    for name, element in iter_elements(reference):
        if element.type == DOCUMENT or (arrays and element.type == ARRAY):
            children = _schema(element.value, arrays, streams, position)
            nodes.append((name, element.type, len(element.value) == 5, children))
        else:
            stream = _Stream()
            stream.load_literal(element, position)
            streams.append(stream)
            nodes.append((name, len(streams) - 1))
    return nodes


def _build(nodes: list[_Node], values: list[Element | None]) -> list[tuple[bytes, Element]]:
    fields: list[tuple[bytes, Element]] = []
    for node in nodes:
        if len(node) == 2:
            name, index = node
            if (value := values[index]) is not None:
                fields.append((name, value))
            continue
        name, kind, allow_empty, children = node
        inner = _build(children, values)
        if inner or allow_empty:
            fields.append((name, Element(kind, document(inner))))
    return fields


def _interleaved(column: bytes, pos: int, out: list[Element | None]) -> tuple[int, Element | None]:
    """Decode interleaved objects starting at the control byte at `pos` into `out`; returns the position after
    their 0x00 and the last object (the base of what follows)."""
    arrays, root_type = INTERLEAVED[column[pos]]
    start = pos + 1
    try:
        size = value_size(column, DOCUMENT, start, len(column))
        streams: list[_Stream] = []
        schema = _schema(column[start : start + size], arrays, streams, pos)
    except ElementError as error:
        raise ColumnError(f"malformed reference object of interleaved values: {error}", pos) from None
    if not streams:
        raise ColumnError("interleaved values whose reference object has no scalar field", pos)
    pos = start + size
    if pos >= len(column) or column[pos] == END:
        raise ColumnError("interleaved values without any object", pos)
    last: Element | None = None
    while True:
        values: list[Element | None] = []
        for i, stream in enumerate(streams):
            if stream.pending:
                values.append(stream.next_value(pos))
                continue
            if pos >= len(column):
                raise ColumnError("column ends inside interleaved values", pos)
            if column[pos] == END:
                if i != 0:
                    raise ColumnError("interleaved values end in the middle of an object", pos)
                if any(s.pending for s in streams):
                    raise ColumnError("interleaved values end with values left in some fields", pos)
                return pos + 1, last
            pos, value = stream.read_part(column, pos)
            values.append(value)
        fields = _build(schema, values)
        last = Element(root_type, document(fields)) if fields else None
        out.append(last)
