"""Time-series collections: their bucket documents unpacked into the measurements a user stored.

mongodump writes a time-series collection `X` as its metadata (`X.metadata.json`, `"type": "timeseries"`,
`options.timeseries.timeField`/`metaField`) and its buckets (`system.buckets.X.bson`; from MongoDB 8.3 on,
`X.bson`). A bucket holds many measurements:

    {_id, control: {version, min, max, count}, meta: <the meta field's value>, data: {<field>: <column>}}

- version 1: each column is a document keyed by row index ("0", "1", ...), a missing key a missing value;
- version 2 (and 3, unsorted): each column is a BSON Column binary (`bsoncolumn.py`), `control.count` rows.

A measurement is `{<time field>, <meta field>: meta, <other fields in bucket order>}`, each value with the
exact bytes it has in the bucket. A bucket that cannot be unpacked stops the read with an error that names the
file, the bucket's byte offset and the column, never a value.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from apollo_assets.mongo.bson_elements import BINARY, DOCUMENT, Element, ElementError, document, elements, iter_elements
from apollo_assets.mongo.bsoncolumn import ColumnError, decode_column
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.names import shown

BUCKETS_PREFIX = "system.buckets."
COLUMN_SUBTYPE = 7
UNCOMPRESSED, COMPRESSED_SORTED, COMPRESSED_UNSORTED = 1, 2, 3
BLOCK_BYTES = 4 * 1024 * 1024  # measurements handed on per block


class BucketError(BackupFormatError):
    """A time-series bucket that cannot be unpacked into measurements."""


@dataclass(frozen=True)
class TimeseriesOptions:
    time_field: str
    meta_field: str | None

    @classmethod
    def of(cls, metadata: dict[str, Any], where: str) -> TimeseriesOptions:
        options = (metadata.get("options") or {}).get("timeseries")
        if not isinstance(options, dict) or not isinstance(options.get("timeField"), str) or not options["timeField"]:
            raise BackupFormatError("time-series metadata without options.timeseries.timeField", where)
        meta = options.get("metaField")
        if meta is not None and not isinstance(meta, str):
            raise BackupFormatError("time-series metadata whose options.timeseries.metaField is not a string", where)
        return cls(options["timeField"], meta or None)


def _int(element: Element | None) -> int | None:
    if element is None:
        return None
    if element.type in (0x10, 0x12):  # int32, int64
        return int.from_bytes(element.value, "little", signed=True)
    if element.type == 0x01:  # a double that is a whole number
        value = struct.unpack("<d", element.value)[0]
        return int(value) if value.is_integer() else None
    return None


def _v1_column(column: Element, field: str) -> dict[int, Element]:
    if column.type != DOCUMENT:
        raise ValueError(f"column {shown(field)} of a version 1 bucket is not a document")
    rows: dict[int, Element] = {}
    for key, value in iter_elements(column.value):
        if not key.isdigit() or (len(key) > 1 and key.startswith(b"0")):
            raise ValueError(f"column {shown(field)} has a key that is not a row number")
        rows[int(key)] = value
    return rows


def _compressed_column(column: Element, field: str) -> list[Element | None]:
    if column.type != BINARY or len(column.value) < 5 or column.value[4] != COLUMN_SUBTYPE:
        raise ValueError(f"column {shown(field)} of a compressed bucket is not a BSON Column (binary subtype 7)")
    try:
        return decode_column(column.value[5:])
    except ColumnError as error:
        raise ValueError(f"column {shown(field)}: {error}") from None


def unpack_bucket(bucket: bytes, options: TimeseriesOptions) -> list[bytes]:
    """The measurements of one bucket document, as BSON documents. Raises ValueError naming what is wrong."""
    try:
        top = elements(bucket)
        control = top.get(b"control")
        if control is None or control.type != DOCUMENT:
            raise ValueError("bucket without a control document")
        controls = elements(control.value)
        version = _int(controls.get(b"version"))
        data = top.get(b"data")
        if data is None or data.type != DOCUMENT:
            raise ValueError("bucket without a data document")
        names = [(name, column) for name, column in iter_elements(data.value)]
        if version == UNCOMPRESSED:
            columns = [(name, _v1_column(column, name.decode("utf-8", "replace"))) for name, column in names]
            rows = 1 + max((max(c, default=-1) for _, c in columns), default=-1)
            values = [(name, [c.get(i) for i in range(rows)]) for name, c in columns]
        elif version in (COMPRESSED_SORTED, COMPRESSED_UNSORTED):
            values = [(name, _compressed_column(column, name.decode("utf-8", "replace"))) for name, column in names]
            count = _int(controls.get(b"count"))
            rows = count if count is not None else max((len(v) for _, v in values), default=0)
            for name, column in values:
                if len(column) > rows:
                    field = shown(name.decode("utf-8", "replace"))
                    raise ValueError(f"column {field} has more rows than control.count")
                column.extend([None] * (rows - len(column)))  # a field that stopped appearing
        else:
            raise ValueError(f"unknown bucket version {version!r} (known: 1, 2, 3)")
    except ElementError as error:
        raise ValueError(f"malformed bucket: {error}") from None
    return _measurements(values, rows, top.get(b"meta"), options)


def _measurements(
    columns: list[tuple[bytes, list[Element | None]]], rows: int, meta: Element | None, options: TimeseriesOptions
) -> list[bytes]:
    time, meta_name = options.time_field.encode(), (options.meta_field or "").encode()
    by_name = dict(columns)
    if time not in by_name:
        raise ValueError("bucket without a column for the time field")
    if meta_name and meta_name in by_name:
        raise ValueError("bucket with a data column named like the meta field")
    times, others = by_name[time], [(name, column) for name, column in columns if name != time]
    head = [(meta_name, meta)] if meta_name and meta is not None else []
    out = []
    for i in range(rows):
        fields = [(time, times[i]), *head, *((name, column[i]) for name, column in others)]
        out.append(document([(name, value) for name, value in fields if value is not None]))
    return out


@dataclass(repr=False)
class TimeseriesCollection(CollectionSource):
    """A time-series collection read from its buckets: one document per measurement, under the collection's name."""

    name: str
    metadata: dict[str, Any]
    buckets: CollectionSource
    label: str

    def __post_init__(self) -> None:
        self.options = TimeseriesOptions.of(self.metadata, self.label)
        self.bucket_count = 0

    def stream_label(self) -> str:
        return f"{self.label} (measurements unpacked from its buckets)"

    def blocks(self) -> Iterator[DocumentBlock]:
        self.bucket_count = 0
        source = self.stream_label()
        buffer, starts, base = bytearray(), [0], 0
        for location, raw in self.buckets.documents():
            try:
                measurements = unpack_bucket(raw, self.options)
            except ValueError as error:
                problem = f"time-series bucket cannot be unpacked: {error}"
                raise BucketError(problem, location.source, location.offset) from None
            self.bucket_count += 1
            for measurement in measurements:
                buffer += measurement
                starts.append(len(buffer))
            if len(buffer) >= BLOCK_BYTES:
                yield DocumentBlock(source, base, bytes(buffer), np.asarray(starts, dtype=np.int64))
                base += len(buffer)
                buffer, starts = bytearray(), [0]
        if len(starts) > 1:
            yield DocumentBlock(source, base, bytes(buffer), np.asarray(starts, dtype=np.int64))

    def provenance(self) -> dict[str, Any]:
        return {**self.buckets.provenance(), "unpacked_from": self.buckets.name, "buckets": self.bucket_count}
