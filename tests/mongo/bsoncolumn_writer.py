"""BSON Columns (binary subtype 7) built by hand for the tests, part by part, as MongoDB's format describes them.

`literal`, `blocks`, `interleaved` and `END` are the parts; `word`, `rle` and `pack` make Simple-8b words;
`encode_column` writes a whole column of plain values (ints, doubles at a scale, dates, ObjectIds, strings,
missing values) the way MongoDB's own writer would.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import bson

from apollo_assets.mongo.bson_elements import Element, iter_elements
from apollo_assets.mongo.codec import DECODE_OPTIONS

END = b"\x00"
RAW_SCALE = 0x8  # control nibble: a double's bits (or a value of any other type)
SCALE_NIBBLE = {1: 0x9, 10: 0xA, 100: 0xB, 10_000: 0xC, 100_000_000: 0xD}
BASE_BITS = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 10, 10: 12, 11: 15, 12: 20, 13: 30, 14: 60}
EXTENDED = {  # (selector, extension) -> (value bits, count bits, zeros per count)
    **{(7, e): (b, 4, 1) for e, b in enumerate((2, 3, 4, 5, 7, 10, 14, 24, 52), start=1)},
    **{(8, e): (b, 4, 4) for e, b in enumerate((4, 5, 7, 10, 14, 24, 52), start=1)},
    **{(8, e): (b, 5, 4) for e, b in enumerate((4, 6, 9, 13, 23, 51), start=8)},
}


def element(value: Any) -> Element:
    """The BSON element of a Python value (bson's own encoding: int -> int32 when it fits, Int64 -> int64)."""
    ((_, found),) = iter_elements(bson.encode({"v": value}, codec_options=DECODE_OPTIONS))
    return found


def decoded(found: Element | None) -> Any:
    """The Python value of a decoded element (None stays None)."""
    if found is None:
        return None
    raw = found.encoded(b"v")
    return bson.decode(struct.pack("<i", len(raw) + 5) + raw + b"\x00", codec_options=DECODE_OPTIONS)["v"]


def zigzag(n: int) -> int:
    return 2 * n if n >= 0 else -2 * n - 1


def capacity(selector: int, extension: int = 0) -> int:
    if extension:
        value_bits, count_bits, _ = EXTENDED[selector, extension]
        return 56 // (value_bits + count_bits)
    return 60 // BASE_BITS[selector]


def word(selector: int, slots: list[int | None], extension: int = 0) -> int:
    """One Simple-8b word holding exactly its selector's number of raw slot values (None: missing)."""
    assert len(slots) == capacity(selector, extension), f"selector {selector}/{extension}: wrong number of values"
    if extension:
        value_bits, count_bits, zeros = EXTENDED[selector, extension]
        width, payload = value_bits + count_bits, 0
        for i, raw in enumerate(slots):
            if raw is None:
                slot = (1 << width) - 1
            else:
                count = 0
                while raw and raw % (1 << zeros) == 0 and count < (1 << count_bits) - 1:
                    raw >>= zeros
                    count += 1
                assert raw < (1 << value_bits) and ((raw << count_bits) | count) != (1 << width) - 1
                slot = (raw << count_bits) | count
            payload |= slot << (i * width)
        return (payload << 8) | (extension << 4) | selector
    bits = BASE_BITS[selector]
    payload = 0
    for i, raw in enumerate(slots):
        slot = (1 << bits) - 1 if raw is None else raw
        assert raw is None or raw < (1 << bits) - 1, f"{raw} does not fit in {bits} bits"
        payload |= slot << (i * bits)
    return (payload << (8 if selector in (7, 8) else 4)) | selector


def rle(runs: int) -> int:
    """A run-length word: the last value again, 120 x `runs` times (1-16)."""
    assert 1 <= runs <= 16
    return ((runs - 1) << 4) | 15


def literal(found: Element) -> bytes:
    return bytes((found.type, 0)) + found.value


def blocks(words: list[int], scale_nibble: int = RAW_SCALE) -> bytes:
    """One Simple-8b control: up to 16 words after a control byte naming the scale (for doubles) and the count."""
    assert 1 <= len(words) <= 16
    return bytes(((scale_nibble << 4) | (len(words) - 1),)) + b"".join(w.to_bytes(8, "little") for w in words)


def interleaved(reference: dict[str, Any], control: int = 0xF1) -> bytes:
    return bytes((control,)) + bson.encode(reference, codec_options=DECODE_OPTIONS)


def pack(slots: list[int | None]) -> list[int]:
    """Words for these raw slot values: each time the base selector that takes the most of the next values."""
    words, at = [], 0
    while at < len(slots):
        for selector in range(1, 15):
            n = capacity(selector)
            chunk = slots[at : at + n]
            bits = BASE_BITS[selector]
            if len(chunk) == n and all(v is None or v < (1 << bits) - 1 for v in chunk):
                words.append(word(selector, chunk))
                at += n
                break
        else:
            raise AssertionError(f"value {slots[at]} does not fit in 60 bits")
    return words


def controls(slots: list[int | None], scale_nibble: int = RAW_SCALE) -> bytes:
    words = pack(slots)
    return b"".join(blocks(words[i : i + 16], scale_nibble) for i in range(0, len(words), 16))


def _oid_int(oid: bson.ObjectId) -> int:
    b = oid.binary
    return int.from_bytes(bytes((b[11], b[3], b[10], b[2], b[9], b[1], b[0], 0)), "little")


def _string_int(text: str) -> int:
    return int.from_bytes(text.encode()[::-1].ljust(16, b"\x00"), "little")


def encode_column(values: list[Any], scale: int = 1) -> bytes:
    """A column of `values` (None: missing), all of one type after the first: a literal, then deltas (of deltas for
    dates and ObjectIds; 128-bit for strings), doubles at `scale` (1, 10, 100, 10^4, 10^8)."""
    first = next(i for i, v in enumerate(values) if v is not None)
    head = [None] * first
    out = controls(head) if head else b""
    out += literal(element(values[first]))
    kind = values[first]
    nibble = SCALE_NIBBLE[scale] if isinstance(kind, float) else RAW_SCALE
    slots: list[int | None] = []
    previous, previous_delta = values[first], 0
    for value in values[first + 1 :]:
        if value is None:
            slots.append(None)
            continue
        if isinstance(kind, float):
            delta = round(value * scale) - round(previous * scale)
        elif isinstance(kind, bson.ObjectId):
            d = _oid_int(value) - _oid_int(previous)
            delta, previous_delta = d - previous_delta, d
        elif isinstance(kind, dt.datetime):
            d = int(value.timestamp() * 1000) - int(previous.timestamp() * 1000)
            delta, previous_delta = d - previous_delta, d
        elif isinstance(kind, str):
            delta = _string_int(value) - _string_int(previous)
        else:
            delta = int(value) - int(previous)
        previous = value
        if zigzag(delta) >= (1 << 60) - 1:  # too far from the last value: a new literal, as MongoDB writes
            out += (controls(slots, nibble) if slots else b"") + literal(element(value))
            slots, previous_delta = [], 0
            continue
        slots.append(zigzag(delta))
    if slots:
        out += controls(slots, nibble)
    return out + END
