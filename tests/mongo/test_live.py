"""Live-cluster reads against a real MongoDB-wire server (SecantusDB, started by the session fixture)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from bson.objectid import ObjectId
from pymongo import MongoClient

from apollo_assets.mongo import BackupFormatError, read_snapshot
from apollo_assets.mongo.live import (
    ENV_VAR,
    LiveCollectionSource,
    LiveOptions,
    LiveReadError,
    auto_ranges,
    redact,
)
from apollo_assets.mongo.live import (
    mongo_uri as uri_from_env,
)
from apollo_assets.mongo.live_ranges import IdRange, split_ranges

from .helpers import source_of, write_dump
from .test_fast_path import PEOPLE


@pytest.fixture
def client(mongo_uri):
    with MongoClient(mongo_uri) as c:
        yield c


def _fill(client, name: str, docs: list[dict]) -> None:
    collection = client.live[name]
    collection.drop()
    collection.insert_many([dict(d) for d in docs])


def test_ranges_cover_every_document_once_whatever_the_id_types(client):
    ids = [ObjectId() for _ in range(300)] + list(range(40)) + [f"key-{i}" for i in range(25)]
    _fill(client, "mixed", [{"_id": i, "n": 1} for i in ids])
    ranges = split_ranges(client.live.mixed, 4)
    assert len(ranges) >= 4 and ranges[-1].others
    seen = [d["_id"] for r in ranges for d in client.live.mixed.find(r.filter(), {"_id": 1})]
    assert len(seen) == len(ids) and set(map(repr, seen)) == set(map(repr, ids))


def test_a_live_snapshot_equals_the_dump_of_the_same_documents(client, mongo_uri, tmp_path):
    _fill(client, "people", PEOPLE)
    source = LiveCollectionSource(mongo_uri, "live", "people", LiveOptions(ranges=3, batch_size=40))
    live = read_snapshot(source, "b1", rows_per_batch=64)
    live_table = pa.Table.from_batches(list(live.batches()), live.schema)
    in_id_order = sorted(client.live.people.find(), key=lambda d: d["_id"].binary)
    dumped = read_snapshot(source_of(write_dump(tmp_path, "people", in_id_order)), "b1")
    assert live.schema.equals(dumped.schema, check_metadata=True)
    assert live_table.equals(pa.Table.from_batches(list(dumped.batches()), dumped.schema))
    assert live.report.documents == len(PEOPLE) and live.report.drift == dumped.report.drift


def test_ranges_follow_the_collection_size_unless_given(client, mongo_uri):
    assert [auto_ranges(n) for n in (0, 20_000, 99_999, 100_000, 250_000, 10**8)] == [1, 1, 1, 2, 5, 8]
    _fill(client, "sized", [{"_id": i} for i in range(200)])
    assert LiveCollectionSource(mongo_uri, "live", "sized", LiveOptions()).ranges(client) == [IdRange()]
    given = LiveCollectionSource(mongo_uri, "live", "sized", LiveOptions(ranges=3)).ranges(client)
    assert len(given) >= 3 and given[-1].others
    with pytest.raises(ValueError, match="ranges at least 0"):
        LiveOptions(ranges=-1)


def test_batch_size_and_read_preference_are_applied(client, mongo_uri):
    _fill(client, "small", [{"_id": i} for i in range(20)])
    source = LiveCollectionSource(mongo_uri, "live", "small", LiveOptions(read_preference="nearest", batch_size=7))
    assert source.collection(client).read_preference.mongos_mode == "nearest"
    assert [len(b) for b in source.raw_batches(client, IdRange())] == [7 * 14, 7 * 14, 6 * 14]
    with pytest.raises(ValueError, match="read_preference"):
        LiveOptions(read_preference="anywhere")


def test_a_failed_read_names_the_collection_and_the_id_range(client, mongo_uri):
    source = LiveCollectionSource(mongo_uri, "live", "small", LiveOptions())
    with pytest.raises(LiveReadError, match=r"live\.small _id range \[1, 5\) of type notatype: reading failed"):
        list(source.raw_batches(client, IdRange("notatype", 1, 5)))


def test_a_collection_that_changes_between_the_passes_is_refused(client, mongo_uri):
    _fill(client, "moving", [{"_id": i, "v": i} for i in range(50)])
    snapshot = read_snapshot(LiveCollectionSource(mongo_uri, "live", "moving", LiveOptions(ranges=2)), "b1")
    client.live.moving.insert_one({"_id": 999, "v": 0})
    with pytest.raises(BackupFormatError, match="changed between the two passes"):
        list(snapshot.batches())


def test_the_uri_comes_from_the_environment_and_is_never_shown_with_its_password():
    with pytest.raises(LiveReadError, match=ENV_VAR):
        uri_from_env({})
    assert uri_from_env({ENV_VAR: " mongodb://h:27017/ "}) == "mongodb://h:27017/"
    assert redact("mongodb://user:s3cret@h:27017/db") == "mongodb://***@h:27017/db"


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb://h:27017/db?authSource=admin&password=s3cret",
        "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=s3cret",
        "mongodb+srv://cluster.example.net/db?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:s3cret",
        "mongodb://user:pa/ss?s3cret@h1:27017,h2:27017/db;appname=x",  # unescaped `/` and `?` in the password
        "mongodb://user:s3cret@h/db?replicaSet=rs0;w=majority#s3cret",
    ],
)
def test_a_redacted_uri_keeps_no_secret_from_its_credentials_or_its_options(uri):
    shown = redact(uri)
    assert "s3cret" not in shown and "user" not in shown
    assert shown.startswith(uri.split("://")[0] + "://")


def test_option_names_and_hosts_stay_readable():
    assert redact("mongodb://u:p@h1:27017,h2/db?authSource=admin&readPreference=secondary") == (
        "mongodb://***@h1:27017,h2/db?authSource=***&readPreference=***"
    )
    assert redact("/backups/20261126T040000Z") == "/backups/20261126T040000Z"  # not a URI: as it is


def test_a_live_source_names_its_cluster_without_secrets():
    source = LiveCollectionSource("mongodb://u:s3cret@h/?password=s3cret", "db", "people")
    assert "s3cret" not in repr(source) and "s3cret" not in source.label(IdRange())
