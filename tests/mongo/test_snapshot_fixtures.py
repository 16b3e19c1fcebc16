"""Real mongodump output: every document is accounted for, and every row decodes back to its source document."""

from __future__ import annotations

import bson
import pyarrow as pa
import pytest

from apollo_assets.mongo import open_backup, read_snapshot, to_document
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.codec import DECODE_OPTIONS, from_ejson, type_name
from tests.fixtures_dir import FIXTURE_COUNTS

from .helpers import assert_round_trip, rows_of

BACKUP_ID = "20261126T040000Z"


def _snapshot(mongodump_fixtures, db, name, rows_per_batch=50_000):
    return read_snapshot(open_backup(mongodump_fixtures / db).collections[name], BACKUP_ID, rows_per_batch)


@pytest.mark.parametrize(("db", "name"), sorted(FIXTURE_COUNTS))
def test_fixture_ingests_every_document_and_round_trips(mongodump_fixtures, db, name):
    source = open_backup(mongodump_fixtures / db).collections[name]
    snapshot = read_snapshot(source, BACKUP_ID, rows_per_batch=5000)
    assert_round_trip(snapshot, [d.raw for d in source.documents()])
    report = snapshot.report
    assert report.documents == report.converted == FIXTURE_COUNTS[(db, name)]
    assert report.quarantined == [] and report.complete
    assert snapshot.schema.names[-1] == "_backup_id"


def test_shipwrecks_depth_drift_is_reported_and_every_value_recoverable(mongodump_fixtures):
    source = open_backup(mongodump_fixtures / "sample_geospatial").collections["shipwrecks"]
    snapshot = read_snapshot(source, BACKUP_ID)
    assert snapshot.report.drift == {"depth": {"string": 8518, "double": 2339, "int": 238}}
    assert snapshot.schema.field("depth").type == pa.string()
    assert snapshot.schema.field("depth__bson_type").type == pa.string()
    assert snapshot.schema.field("londec").type == pa.float64()  # ints and doubles only: no drift
    rows = rows_of(snapshot)
    sources = [bson.decode(d.raw, DECODE_OPTIONS) for d in source.documents()]
    recovered = 0
    for row, doc in zip(rows, sources, strict=True):
        original = doc["depth"]
        value = from_ejson(row["depth"])
        assert row["depth__bson_type"] == type_name(original)
        assert type(value) is type(original) and value == original
        if isinstance(original, float):
            assert value.hex() == original.hex()
        recovered += 1
    assert recovered == 11095


def test_theaters_nested_structs_keep_nulls_and_absences_apart_from_values(mongodump_fixtures):
    snapshot = _snapshot(mongodump_fixtures, "sample_mflix", "theaters")
    location = snapshot.schema.field("location").type
    address = location.field("address").type
    assert address.field("street2").type == pa.string()
    assert location.field("geo").type.field("coordinates").type.value_type == pa.float64()
    table = pa.Table.from_batches(list(snapshot.batches()))
    street2 = table.column("location").combine_chunks().field("address").field("street2")
    assert len(street2) - street2.null_count == 556 - 189


def test_zips_columns_follow_first_seen_order_with_native_types(mongodump_fixtures):
    snapshot = _snapshot(mongodump_fixtures, "sample_training", "zips", rows_per_batch=10_000)
    assert snapshot.schema.names == ["_id", "city", "zip", "loc", "pop", "state", "_backup_id"]
    assert snapshot.schema.field("_id").type == pa.string()
    assert snapshot.schema.field("pop").type == pa.int64()
    assert snapshot.schema.field("loc").type == pa.struct([("y", pa.float64()), ("x", pa.float64())])
    batches = list(snapshot.batches())
    assert [b.num_rows for b in batches] == [10_000, 10_000, 9_470]
    first = batches[0].to_pylist()[0]
    assert len(first["_id"]) == 24 and first["_backup_id"] == BACKUP_ID
    zips = open_backup(mongodump_fixtures / "sample_training").collections["zips"]
    assert to_document(first, snapshot.schema)["_id"] == bson.decode(next(zips.documents()).raw)["_id"]


def test_archive_of_a_fixture_gives_the_same_snapshot(mongodump_fixtures, tmp_path):
    directory = open_backup(mongodump_fixtures / "sample_analytics").collections["accounts"]
    write_archive(
        tmp_path / "apollo.archive.gz",
        [
            ArchiveCollectionSpec(
                "sample_analytics", "accounts", [d.raw for d in directory.documents()], directory.metadata
            )
        ],
        gzip_compress=True,
        segment_documents=333,
    )
    archived = open_backup(tmp_path).collections["accounts"]
    assert archived.metadata == directory.metadata
    a = pa.Table.from_batches(list(read_snapshot(directory, BACKUP_ID).batches()))
    b = pa.Table.from_batches(list(read_snapshot(archived, BACKUP_ID).batches()))
    assert a.equals(b) and a.num_rows == 1746
