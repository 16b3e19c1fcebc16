"""The BSON Column decoder (compressed time-series columns): every kind of part, checked on columns built byte by
byte, on columns MongoDB itself wrote (published in its tests), and on malformed ones (an error naming the byte)."""

from __future__ import annotations

import base64
import datetime as dt
import struct

import bson
import pytest
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.timestamp import Timestamp

from apollo_assets.mongo.bson_elements import Element
from apollo_assets.mongo.bsoncolumn import ColumnError, decode_column

from .bsoncolumn_writer import (
    END,
    EXTENDED,
    RAW_SCALE,
    SCALE_NIBBLE,
    blocks,
    capacity,
    decoded,
    element,
    encode_column,
    interleaved,
    literal,
    rle,
    word,
    zigzag,
)


def values(column: bytes) -> list:
    return [decoded(v) for v in decode_column(column)]


# Columns written by MongoDB, as its own tests publish them (jstests: change streams, validate, time-series
# upgrade and raw-operation tests; the block decoding unit test), with the values those tests expect.
MONGODB_COLUMNS = [
    ("CQDoAwAAAAAAAAA=", [dt.datetime(1970, 1, 1, 0, 0, 1)]),
    ("AQAAAAAAAADwPwA=", [1.0]),
    ("AgAEAAAAZm9vAAA=", ["foo"]),
    ("AgALAAAAcHJlVXBncmFkZQAA", ["preUpgrade"]),
    ("BwBlpuun5tLoSOCMN1CALgAAAAAAAAAA", [bson.ObjectId(f"65a6eba7e6d2e848e08c375{i}") for i in (0, 1)]),
    ("CQAYhggUjQEAAIAOAAAAAAAAAAA=", [dt.datetime(2024, 1, 16, 20, 48, 39, 448000)] * 2),
    ("AQAAAAAAAAAAQJN/AAAAAAAAAAIAAAAAAAAABwAAAAAAAAAOAAAAAAAAAAA=", [2.0] * 1000),  # RLE, selectors 2, 7, 14
    ("8BsAAAAEYQAMAAAAEDAACgAAAAAQYgAUAAAAAIALAAAAAAAAAIALAAAAAAAAAAAA", [{"a": [10], "b": 20}] * 4),  # 0xF0
]


@pytest.mark.parametrize(("b64", "expected"), MONGODB_COLUMNS, ids=[c[0][:12] for c in MONGODB_COLUMNS])
def test_columns_written_by_mongodb(b64, expected):
    assert values(base64.b64decode(b64)) == expected


def test_a_column_grown_by_an_oplog_binary_diff_gets_its_new_values():
    """A compressed bucket's column grows by `{o: offset, d: bytes}`: the bytes from `o` on are replaced (the
    second measurement of MongoDB's change stream test: the same date, the same double _id)."""
    ts, ids = base64.b64decode("CQDoAwAAAAAAAAA="), base64.b64decode("AQAAAAAAAADwPwA=")
    grown_ts = ts[:10] + base64.b64decode("gA4AAAAAAAAAAA==")
    grown_ids = ids[:10] + base64.b64decode("kA4AAAAAAAAAAA==")
    assert values(grown_ts) == [dt.datetime(1970, 1, 1, 0, 0, 1)] * 2
    assert values(grown_ids) == [1.0, 1.0]


@pytest.mark.parametrize("selector", range(1, 15))
def test_every_base_selector(selector):
    """int64 deltas packed in each base selector: 1-bit only holds 0; the others the largest value they can."""
    n = capacity(selector)
    bits = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 10, 10: 12, 11: 15, 12: 20, 13: 30, 14: 60}[selector]
    top = (1 << bits) - 2  # all ones is "missing"
    deltas = [0] * n if selector == 1 else [(-1) ** i * ((top + 1) // 2 if i % 2 else top // 2) for i in range(n)]
    raws = [zigzag(d) for d in deltas]
    column = literal(element(Int64(1000))) + blocks([word(selector, raws)]) + END
    expected, current = [1000], 1000
    for d in deltas:
        current += d
        expected.append(current)
    got = decode_column(column)
    assert [decoded(v) for v in got] == expected
    assert all(v.type == 0x12 for v in got)  # int64 stays int64


@pytest.mark.parametrize(("selector", "extension"), sorted(EXTENDED))
def test_every_extended_selector_with_trailing_zeros(selector, extension):
    """Selectors 7 and 8 with an extension store a value and a count of trailing zeros (one zero per count for 7,
    a nibble for 8): int64 deltas that are large but round."""
    value_bits, _, zeros = EXTENDED[selector, extension]
    n = capacity(selector, extension)
    raws = [(1 + i % ((1 << value_bits) - 2)) << (zeros * 3) for i in range(n)]
    column = literal(element(Int64(0))) + blocks([word(selector, raws, extension)]) + END
    expected = [0]
    for raw in raws:
        expected.append(expected[-1] + ((raw >> 1) ^ -(raw & 1)))
    assert values(column) == expected


def test_128_bit_deltas_with_extended_selectors_change_strings():
    """Strings up to 16 bytes change by 128-bit deltas of their reversed bytes; a large round delta needs the
    8-selector's nibble shifts (here: the first byte of a 16-byte string changes, 120 bits up)."""
    a, b = "abcdefghijklmnop", "zbcdefghijklmnop"

    def as_int(text: str) -> int:
        return int.from_bytes(text.encode()[::-1].ljust(16, b"\x00"), "little")

    delta = as_int(b) - as_int(a)
    assert delta >> 64  # beyond 64 bits
    raw = zigzag(delta)
    column = literal(element(a)) + blocks([word(8, [raw], extension=13)]) + END
    assert values(column) == [a, b]


def test_run_length_blocks_repeat_the_last_delta_or_missing_or_zero():
    one = literal(element(5)) + blocks([word(14, [zigzag(2)]), rle(1)]) + END
    assert values(one) == [5 + 2 * i for i in range(122)]
    gaps = literal(element(5)) + blocks([word(14, [None]), rle(2)]) + END
    assert values(gaps) == [5] + [None] * 241
    first = literal(element(5)) + blocks([rle(1)]) + END  # right after a literal: zero deltas
    assert values(first) == [5] * 121
    across = literal(element(5)) + blocks([word(14, [zigzag(-1)])]) + blocks([rle(1)]) + END  # the next control
    assert values(across)[-1] == 5 - 121


def test_missing_values_before_the_first_literal_and_between_values():
    column = blocks([word(13, [None, None])]) + literal(element(7)) + blocks([word(12, [None, 2, None])]) + END
    assert values(column) == [None, None, 7, None, 8, None]


@pytest.mark.parametrize("scale", [1, 10, 100, 10_000, 100_000_000])
def test_doubles_at_every_scale(scale):
    series = [20.5, 20.25, None, 19.75, 21.0] if scale >= 100 else [3.0, 4.0, None, 2.0, 7.0]
    if scale == 10:
        series = [20.5, 20.6, None, 19.7, 21.0]
    assert values(encode_column(series, scale=scale)) == series


def test_doubles_stored_as_their_bits_and_a_change_of_scale_between_controls():
    bits = struct.unpack("<q", struct.pack("<d", 0.1))[0] - struct.unpack("<q", struct.pack("<d", 1.0))[0]
    raw = literal(element(1.0)) + blocks([word(14, [zigzag(bits)])], RAW_SCALE) + END
    assert values(raw) == [1.0, 0.1]
    rescaled = (
        literal(element(1.5))
        + blocks([word(14, [zigzag(1)])], SCALE_NIBBLE[10])  # 15 -> 16: 1.6
        + blocks([word(14, [zigzag(5)])], SCALE_NIBBLE[100])  # 160 -> 165: 1.65
        + END
    )
    assert values(rescaled) == [1.5, 1.6, 1.65]


def test_a_scale_that_cannot_hold_the_last_double_is_an_error_at_its_byte():
    column = literal(element(1.25)) + blocks([word(14, [zigzag(1)])], SCALE_NIBBLE[10]) + END
    with pytest.raises(ColumnError) as info:
        decode_column(column)
    assert info.value.position == 10 and "scale" in str(info.value)


def test_dates_object_ids_and_timestamps_store_deltas_of_deltas():
    start = dt.datetime(2026, 3, 1, 12, 0)
    every_minute = [start + dt.timedelta(minutes=i) for i in range(200)]
    column = encode_column(every_minute)
    assert len(column) < 100  # a literal, the first delta, then deltas of deltas of 0: 200 values in 6 words
    assert values(column) == every_minute
    oid = bson.ObjectId("65a6eba7e6d2e848e08c3750")
    ids = [oid] + [bson.ObjectId(f"65a6eba{8 + i // 3:x}e6d2e848e08c{0x3750 + i:04x}") for i in range(1, 6)]
    assert values(encode_column(ids)) == ids
    stamp = literal(element(Timestamp(1_700_000_000, 1))) + blocks([word(12, [zigzag(1), 0, zigzag(-1)])]) + END
    assert values(stamp) == [Timestamp(1_700_000_000, i) for i in (1, 2, 3, 3)]


def test_ints_bools_binaries_and_decimals():
    assert values(encode_column([1, -5, 2**31 - 1, None, 0])) == [1, -5, 2**31 - 1, None, 0]
    flips = literal(element(True)) + blocks([word(12, [zigzag(-1), zigzag(1), 0])]) + END
    assert values(flips) == [True, False, True, True]
    data = bson.Binary(b"\x01\x02\x03", 0)
    binary = literal(element(data)) + blocks([word(14, [zigzag(1 << 16)])]) + END
    assert values(binary) == [b"\x01\x02\x03", b"\x01\x02\x04"]
    decimal = literal(element(Decimal128("1.5"))) + blocks([word(14, [zigzag(1)])]) + END
    assert values(decimal) == [Decimal128("1.5"), Decimal128("1.6")]


def test_values_of_types_without_deltas_can_only_repeat():
    repeated = literal(element(None)) + blocks([word(13, [0, None])]) + END
    assert values(repeated) == [None, None, None]  # null, null, missing
    assert decode_column(repeated)[1] == Element(0x0A, b"")
    changed = literal(element({"a": 1})) + blocks([word(14, [zigzag(1)])]) + END
    with pytest.raises(ColumnError, match="can only repeat"):
        decode_column(changed)


def test_interleaved_objects_with_arrays_missing_fields_and_a_return_to_plain_values():
    """0xF1: the reference object's scalars (into arrays too) each get a stream; an object whose fields are all
    missing is missing; after the 0x00 of the objects, deltas continue from the last object (repeats only)."""
    reference = {"temp": 20, "pos": {"x": 1.5, "tags": ["a"]}}
    streams = (
        blocks([word(12, [zigzag(1), None, zigzag(2)])])  # temp: 21, missing, 23
        + blocks([word(12, [0, None, 0])], RAW_SCALE)  # pos.x: 1.5, missing, 1.5
        + blocks([word(12, [0, None, None])])  # pos.tags.0: "a", missing, missing
    )
    column = (
        interleaved(reference)
        + streams
        + blocks([word(14, [None])])  # temp: missing, so is everything of object 4
        + blocks([word(14, [None])])
        + blocks([word(14, [None])])
        + END
        + literal(element(9))
        + END
    )
    assert values(column) == [
        {"temp": 21, "pos": {"x": 1.5, "tags": ["a"]}},
        None,
        {"temp": 23, "pos": {"x": 1.5}},
        None,
        9,
    ]


def test_legacy_interleaving_treats_arrays_as_values():
    column = (
        interleaved({"a": [1, 2], "b": 1}, control=0xF0)
        + blocks([word(13, [0, 0])])
        + blocks([word(13, [zigzag(1), zigzag(1)])])
        + END
        + END
    )
    assert values(column) == [{"a": [1, 2], "b": 2}, {"a": [1, 2], "b": 3}]


def test_interleaved_arrays_at_the_root():
    column = (
        interleaved({"0": 1, "1": 2}, control=0xF2)
        + blocks([word(14, [zigzag(1)])])
        + blocks([word(14, [0])])
        + END
        + END
    )
    assert values(column) == [[2, 2]]


@pytest.mark.parametrize(
    ("column", "position", "problem"),
    [
        (b"", 0, "empty"),
        (literal(element(1)), 6, "0x00 terminator"),
        (literal(element(1)) + END + b"\x01", 7, "after the column's 0x00"),
        (literal(element(1)) + blocks([0]) + END, 7, "selector 0"),
        (literal(element(1)) + blocks([(12 << 4) | 7]) + END, 7, "unknown extension"),
        (literal(element(1)) + bytes((0x80,)) + b"\x0e\x00" + END, 6, "past the end"),
        (literal(element(1)) + blocks([word(14, [2])], 0xE) + END, 6, "unknown control byte"),
        (bytes((0x10, 0x01)) + b"\x00\x00\x00\x00" + END, 0, "empty field name"),
        (bytes((0x14, 0x00)) + END, 0, "unknown BSON type"),
        (interleaved({}) + END, 0, "no scalar field"),
        (interleaved({"a": 1}) + END, 13, "without any object"),
        (interleaved({"a": 1, "b": 1}) + blocks([word(14, [0])]) + END, 29, "middle of an object"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_malformed_columns_fail_naming_the_byte(column, position, problem):
    with pytest.raises(ColumnError) as info:
        decode_column(column)
    assert problem in str(info.value)
    assert info.value.position == position
    assert f"(byte {position} of the column)" in str(info.value)
