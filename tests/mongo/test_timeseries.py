"""Time-series collections: read from their buckets (version 1, and compressed versions 2 and 3) as one document
per measurement, under the collection's name, from dump folders (with `system.buckets.X` or, from MongoDB 8.3,
`X`) and archives; a bucket that cannot be unpacked fails naming its file, offset and column, never a value."""

from __future__ import annotations

import base64
import datetime as dt
import json

import bson
import pytest
from bson.binary import Binary
from bson.int64 import Int64

from apollo_assets.mongo import BackupFormatError, MetadataError, open_backup, read_snapshot
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.bson_elements import iter_elements
from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.timeseries import BucketError, TimeseriesCollection, TimeseriesOptions, unpack_bucket

from .bsoncolumn_writer import encode_column
from .helpers import rows_of

T0 = dt.datetime(2026, 3, 1, 12, 0)
OPTIONS = TimeseriesOptions("ts", "sensor")
SERIES_METADATA = {
    "options": {"timeseries": {"timeField": "ts", "metaField": "sensor", "granularity": "seconds"}},
    "indexes": [],
    "collectionName": "weather",
    "type": "timeseries",
}
# Three measurements: the second has no humidity, the third no temp; `count` is an int64.
MEASUREMENTS = [
    {"ts": T0, "sensor": {"id": 7}, "temp": 20.5, "humidity": 40, "count": Int64(1)},
    {"ts": T0 + dt.timedelta(seconds=10), "sensor": {"id": 7}, "temp": 20.75, "count": Int64(2)},
    {"ts": T0 + dt.timedelta(seconds=20), "sensor": {"id": 7}, "humidity": 42, "count": Int64(3)},
]
COLUMNS = {
    "ts": [m["ts"] for m in MEASUREMENTS],
    "temp": [m.get("temp") for m in MEASUREMENTS],
    "humidity": [m.get("humidity") for m in MEASUREMENTS],
    "count": [m["count"] for m in MEASUREMENTS],
}


def v1_bucket(columns: dict[str, list], meta: object = None, oid: str = "65a6eba7e6d2e848e08c3750") -> dict:
    data = {field: {str(i): v for i, v in enumerate(values) if v is not None} for field, values in columns.items()}
    bucket = {"_id": bson.ObjectId(oid), "control": {"version": 1, "min": {}, "max": {}}, "data": data}
    return bucket | ({"meta": meta} if meta is not None else {})


def v2_bucket(columns: dict[str, list], meta: object = None, version: int = 2) -> dict:
    scales = {"temp": 100}
    data = {f: Binary(encode_column(v, scale=scales.get(f, 1)), 7) for f, v in columns.items()}
    count = len(next(iter(columns.values())))
    bucket = {"_id": bson.ObjectId(), "control": {"version": version, "min": {}, "max": {}, "count": count}}
    return bucket | ({"meta": meta} if meta is not None else {}) | {"data": data}


def encoded(document: dict) -> bytes:
    return bson.encode(document, codec_options=DECODE_OPTIONS)


def as_documents(raws: list[bytes]) -> list[dict]:
    return [bson.decode(raw, codec_options=DECODE_OPTIONS) for raw in raws]


@pytest.mark.parametrize(
    "bucket", [v1_bucket, v2_bucket, lambda c, m: v2_bucket(c, m, version=3)], ids=["v1", "v2", "v3"]
)
def test_a_bucket_becomes_its_measurements(bucket):
    raws = unpack_bucket(encoded(bucket(COLUMNS, {"id": 7})), OPTIONS)
    assert as_documents(raws) == MEASUREMENTS
    # The time field first, then the meta field, then the others in the bucket's order.
    assert [list(doc) for doc in as_documents(raws)] == [list(m) for m in MEASUREMENTS]
    count_types = [dict((n, e.type) for n, e in iter_elements(raw))[b"count"] for raw in raws]
    assert count_types == [0x12, 0x12, 0x12]  # each value keeps its exact BSON type (int64 stays int64)


def test_a_bucket_without_meta_gives_measurements_without_the_meta_field():
    raws = unpack_bucket(encoded(v1_bucket({"ts": [T0], "v": [1]})), OPTIONS)
    assert as_documents(raws) == [{"ts": T0, "v": 1}]


def test_a_bucket_written_by_mongodb():
    """A version 2 bucket of MongoDB's own tests (jstests), with its control: one measurement."""
    bucket = {
        "_id": bson.ObjectId("64dd4adcac4fd7e3ebbd9af3"),
        "control": {"version": 2, "min": {}, "max": {}, "count": 1},
        "meta": 1,
        "data": {
            "_id": Binary(base64.b64decode("BwBk3UrposROddEVEoUA"), 7),
            "time": Binary(base64.b64decode("CQAVoWwAigEAAAA="), 7),
        },
    }
    (doc,) = as_documents(unpack_bucket(encoded(bucket), TimeseriesOptions("time", "tag")))
    assert doc == {
        "time": dt.datetime(2023, 8, 16, 22, 17, 13, 749000),
        "tag": 1,
        "_id": bson.ObjectId("64dd4ae9a2c44e75d1151285"),
    }


def dump_with_series(folder, buckets: list[dict], data_stem: str = "system.buckets.weather"):
    folder.mkdir(parents=True)
    (folder / f"{data_stem}.bson").write_bytes(b"".join(encoded(b) for b in buckets))
    (folder / "weather.metadata.json").write_text(json.dumps(SERIES_METADATA))
    return folder


@pytest.mark.parametrize("data_stem", ["system.buckets.weather", "weather"], ids=["buckets-file", "viewless-8.3"])
def test_a_dump_folder_gives_the_collection_its_measurements_under_its_own_name(tmp_path, data_stem):
    later = {k: [v] for k, v in {"ts": T0 + dt.timedelta(hours=1), "temp": 19.0, "count": Int64(4)}.items()}
    folder = dump_with_series(
        tmp_path / "shop", [v1_bucket(COLUMNS, {"id": 7}), v2_bucket(later, {"id": 8})], data_stem
    )
    backup = open_backup(folder)
    assert list(backup.collections) == ["weather"] and backup.views == {} and backup.notes == []
    weather = backup.collections["weather"]
    assert isinstance(weather, TimeseriesCollection)
    documents = [bson.decode(d.raw, codec_options=DECODE_OPTIONS) for d in weather.documents()]
    assert documents == [
        *MEASUREMENTS,
        {"ts": T0 + dt.timedelta(hours=1), "sensor": {"id": 8}, "temp": 19.0, "count": 4},
    ]
    assert weather.provenance() == {"unpacked_from": data_stem, "buckets": 2}
    snapshot = read_snapshot(weather, "20261126T040000Z")
    assert snapshot.schema.names[:3] == ["ts", "sensor", "temp"]
    assert [row["humidity"] for row in rows_of(snapshot)] == [40, None, 42, None]


@pytest.mark.parametrize(("server", "data_name"), [("7.0.2", "system.buckets.weather"), ("8.3.0", "weather")])
def test_an_archive_gives_the_collection_its_measurements(tmp_path, server, data_name):
    specs = [
        ArchiveCollectionSpec("shop", "weather", [], SERIES_METADATA, type="timeseries"),
        ArchiveCollectionSpec("shop", data_name, [encoded(v1_bucket(COLUMNS, {"id": 7}))], in_prelude=False),
    ]
    backup = open_backup(write_archive(tmp_path / "dump.archive", specs, server_version=server))
    assert list(backup.collections) == ["weather"] and backup.views == {}
    assert [
        bson.decode(d.raw, codec_options=DECODE_OPTIONS) for d in backup.collections["weather"].documents()
    ] == MEASUREMENTS


def test_a_bucket_that_cannot_be_unpacked_fails_naming_file_offset_and_column_not_a_value(tmp_path):
    good = v1_bucket(COLUMNS, {"id": 7})
    bad = v2_bucket({"ts": COLUMNS["ts"], "secret": ["hunter2-value"] * 3}, {"id": 7})
    bad["data"]["secret"] = Binary(bytes(bad["data"]["secret"])[:-1], 7)  # no 0x00 at its end
    folder = dump_with_series(tmp_path / "shop", [good, bad])
    with pytest.raises(BucketError) as info:
        list(open_backup(folder).collections["weather"].documents())
    message = str(info.value)
    offset = len(encoded(good))
    assert f"system.buckets.weather.bson at byte offset {offset}" in message
    assert "column 'secret': Simple-8b blocks run past the end of the column (byte 20 of the column)" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("bucket", "problem"),
    [
        ({"data": {}}, "without a control document"),
        ({"control": {"version": 9}, "data": {"ts": {}}}, "unknown bucket version 9"),
        ({"control": {"version": 1}, "data": {"temp": {"0": 1}}}, "without a column for the time field"),
        ({"control": {"version": 1}, "data": {"ts": {"x": 1}}}, "not a row number"),
        ({"control": {"version": 2, "count": 1}, "data": {"ts": {"0": 1}}}, "not a BSON Column"),
        ({"control": {"version": 2, "count": 0}, "data": {"ts": Binary(encode_column([T0]), 7)}}, "more rows than"),
    ],
)
def test_malformed_buckets_are_refused_with_what_is_wrong(bucket, problem):
    with pytest.raises(ValueError, match=problem):
        unpack_bucket(encoded(bucket), OPTIONS)


def test_time_series_metadata_needs_its_data_file_and_its_time_field(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "weather.metadata.json").write_text(json.dumps(SERIES_METADATA))
    with pytest.raises(MetadataError, match=r"no data file \(expected system.buckets.weather.bson\)"):
        open_backup(folder)
    (folder / "system.buckets.weather.bson").write_bytes(b"")
    (folder / "weather.metadata.json").write_text(json.dumps({**SERIES_METADATA, "options": {"timeseries": {}}}))
    with pytest.raises(BackupFormatError, match="timeField"):
        open_backup(folder)


def test_buckets_without_their_collection_metadata_are_read_as_they_are_with_a_note(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "system.buckets.weather.bson").write_bytes(encoded(v1_bucket(COLUMNS)))
    backup = open_backup(folder)
    assert list(backup.collections) == ["system.buckets.weather"]
    assert "no metadata file" in backup.notes[0]
