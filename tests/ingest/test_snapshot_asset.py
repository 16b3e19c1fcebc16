"""The `mongo/<collection>` asset itself: from the backup or from a live cluster (SecantusDB, a real MongoDB-wire
server), its figures in the metadata, and bad input failing once with a clear message instead of being retried."""

import datetime
import json

import bson
import dagster as dg
import pytest
from pymongo import MongoClient

from apollo_assets.ingest.assets import snapshot_assets, step_failure
from apollo_assets.ingest.snapshots import MissingCollectionError
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.live import LiveReadError
from apollo_assets.mongo.live_resource import MongoClusterResource, cluster_resource
from tests.backups.conftest import MARKER, make_backup, marker, resources_for
from tests.mongo.helpers import encode, write_dump

BACKUP = "20261126T040000Z"
ACCOUNTS = dg.AssetKey(["mongo", "accounts"])
PEOPLE = dg.AssetKey(["mongo", "people"])


def asset(key: dg.AssetKey) -> dg.AssetsDefinition:
    return next(a for a in snapshot_assets if a.key == key)


def materialize(key, tmp_path, instance, resources=None, **config) -> dg.ExecuteInProcessResult:
    instance.add_dynamic_partitions("backups", [BACKUP])
    return dg.materialize(
        [asset(key)],
        partition_key=BACKUP,
        resources={**resources_for(str(tmp_path / "backups"), tmp_path), **(resources or {})},
        instance=instance,
        run_config={"ops": {"mongo__" + key.path[1]: {"config": config}}} if config else None,
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    (event,) = result.asset_materializations_for_node("mongo__" + key.path[1])
    return {name: value.value for name, value in event.metadata.items()}


def step_events(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.event_type_value for e in result.all_events if e.step_key]


def test_a_live_export_reads_the_cluster_named_by_the_environment(tmp_path, mongo_uri, monkeypatch):
    with MongoClient(mongo_uri) as client:
        client.apollo.accounts.drop()
        client.apollo.accounts.insert_many([{"_id": i, "plan": "free", "seats": i} for i in range(250)])
    monkeypatch.setenv("APOLLO_MONGO_URI", mongo_uri)
    cluster = cluster_resource({"APOLLO_MONGO_URI": mongo_uri})
    with dg.instance_for_test() as instance:
        result = materialize(ACCOUNTS, tmp_path, instance, {"mongo_cluster": cluster}, source="live")
        assert result.success
        found = metadata(result, ACCOUNTS)
    assert (found["source"], found["documents"], found["quarantined"]) == ("live", 250, 0)
    assert found["documents_per_second"] > 0 and found["workers"] >= 1
    assert mongo_uri not in repr(found)  # the URI (credentials) never reaches metadata


@pytest.mark.integration  # a Dagster run
def test_a_live_export_without_a_uri_fails_once_naming_the_variable(tmp_path):
    with dg.instance_for_test() as instance:
        result = materialize(ACCOUNTS, tmp_path, instance, {"mongo_cluster": MongoClusterResource()}, source="live")
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "APOLLO_MONGO_URI" in failure.step_failure_data.error.message
    assert "STEP_UP_FOR_RETRY" not in step_events(result)


def backup_with_bad_documents(tmp_path, good: int = 20, bad: int = 5) -> None:
    """A complete backup whose `people` file ends with `bad` documents holding invalid UTF-8."""
    folder = make_backup(tmp_path / "backups", BACKUP)
    broken = encode({"_id": 99, "name": "ok"}).replace(b"ok", b"\xff\xfe")
    documents = [encode({"_id": i, "name": "ok"}) for i in range(good)] + [broken] * bad
    path = write_dump(folder / "apollo", "people", documents)
    entry = {"people": {"documents": good + bad, "file": "apollo/people.bson", "bytes": path.stat().st_size}}
    (folder / MARKER).write_text(json.dumps(marker(BACKUP, entry)))


@pytest.mark.integration  # a Dagster run
def test_a_backup_with_too_many_undecodable_documents_fails_once_and_publishes_nothing(tmp_path):
    backup_with_bad_documents(tmp_path)
    with dg.instance_for_test() as instance:
        result = materialize(PEOPLE, tmp_path, instance, max_quarantine_share=0.1)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.error.message
    assert f"people of {BACKUP}: " in message and "5 of 25 documents could not be converted" in message
    assert "STEP_UP_FOR_RETRY" not in step_events(result)
    assert not list((tmp_path / "snapshots").rglob("*.parquet"))


@pytest.mark.integration  # a Dagster run
def test_the_quarantine_threshold_is_run_config(tmp_path):
    backup_with_bad_documents(tmp_path)
    with dg.instance_for_test() as instance:
        result = materialize(PEOPLE, tmp_path, instance, max_quarantine_share=0.5)
        assert result.success
        found = metadata(result, PEOPLE)
    assert (found["source"], found["documents"], found["quarantined"]) == ("backup", 25, 5)


def test_only_errors_of_the_cluster_or_network_are_left_to_the_retry_policy():
    live = LiveReadError("apollo.people _id range [1, 5): connection reset")
    assert step_failure("people", "20261126T040000Z", live) is live
    for bad in (BackupFormatError("truncated document", "people.bson", 4096), MissingCollectionError("people")):
        failure = step_failure("people", "20261126T040000Z", bad)
        assert isinstance(failure, dg.Failure) and not failure.allow_retries
        assert "people of 20261126T040000Z" in failure.description and str(bad) in failure.description


@pytest.mark.integration  # a Dagster run
def test_a_time_series_collection_becomes_its_measurements_and_the_metadata_says_so(tmp_path):
    """`usage_events` kept as a time-series collection, dumped with `--oplog`: the snapshot holds the measurements
    (the one the oplog added included) under the collection's name, and its metadata says where they came from."""
    folder = make_backup(tmp_path / "backups", BACKUP, complete=False)
    t0 = datetime.datetime(2026, 11, 26, 3, 0)
    bucket = {
        "_id": bson.ObjectId(),
        "control": {"version": 1},
        "meta": {"account_id": "a1"},
        "data": {"timestamp": {str(k): t0 + datetime.timedelta(minutes=k) for k in range(3)}},
    }
    buckets = write_dump(folder / "apollo", "system.buckets.usage_events", [bucket])
    (folder / "apollo" / "system.buckets.usage_events.metadata.json").unlink()
    options = {"timeseries": {"timeField": "timestamp", "metaField": "properties"}}
    series = {"options": options, "indexes": [], "type": "timeseries"}
    (folder / "apollo" / "usage_events.metadata.json").write_text(json.dumps(series))
    new_row = {"sdata": {"stimestamp": {"i": {"3": t0 + datetime.timedelta(minutes=3)}}}}
    entry = {"op": "u", "ns": "apollo.system.buckets.usage_events", "o2": {"_id": bucket["_id"]}}
    (folder / "oplog.bson").write_bytes(encode({**entry, "o": {"$v": 2, "diff": new_row}}))
    file = "apollo/system.buckets.usage_events.bson"
    manifest = {"usage_events": {"documents": 1, "file": file, "bytes": buckets.stat().st_size}}
    (folder / MARKER).write_text(json.dumps(marker(BACKUP, manifest)))
    events = dg.AssetKey(["mongo", "usage_events"])
    with dg.instance_for_test() as instance:
        result = materialize(events, tmp_path, instance)
        assert result.success
        found = metadata(result, events)
    assert (found["documents"], found["unpacked_from_buckets"], found["buckets"]) == (
        4,
        "system.buckets.usage_events",
        1,
    )
    assert found["oplog_entries_applied"] == 1
