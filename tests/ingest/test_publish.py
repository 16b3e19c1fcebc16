"""The snapshot assets' entry points run the ingest path: raw values, quarantine inside the partition version."""

from __future__ import annotations

import os

import dagster as dg
import pyarrow as pa
import pytest
from pymongo import MongoClient

from apollo_assets.ingest.snapshots import (
    MissingCollectionError,
    publish_live_snapshot,
    publish_snapshot,
)
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.mongo import QuarantineThresholdExceeded, read_snapshot
from apollo_assets.mongo.dump_dir import DumpCollection
from apollo_assets.mongo.live_resource import MongoClusterResource
from tests.mongo.helpers import encode, write_dump

BACKUP = "20261126T040000Z"
BAD = encode({"_id": 1000, "name": "ok"}).replace(b"ok", b"\xff\xfe")


def test_a_snapshot_keeps_raw_values_and_its_quarantine_beside_its_files(tmp_path):
    docs = [encode({"_id": i, "email": f"p{i}@x.io"}) for i in range(99)] + [BAD]
    write_dump(tmp_path / "backup" / "apollo", "people", docs)
    dataset = PartitionedDataset(open_location(str(tmp_path / "snapshots")), "people")
    summary = publish_snapshot(tmp_path / "backup", "people", BACKUP, dataset)
    assert (summary.documents, summary.quarantined, summary.workers) == (100, 1, 1)
    assert dataset.read(BACKUP).column("email")[0].as_py() == "p0@x.io"
    with open(dataset.extra_path(BACKUP, "quarantine.bson"), "rb") as f:
        assert f.read() == BAD
    for name in ("quarantine.bson", "quarantine.jsonl"):  # raw documents: owner-only from their creation
        assert os.stat(dataset.extra_path(BACKUP, name)).st_mode & 0o077 == 0
    with pytest.raises(QuarantineThresholdExceeded):
        publish_snapshot(tmp_path / "backup", "people", "20261127T040000Z", dataset, max_quarantine_share=0.001)
    assert dataset.partitions() == [BACKUP]
    with pytest.raises(MissingCollectionError, match="has no collection 'nope'"):
        publish_snapshot(tmp_path / "backup", "nope", BACKUP, dataset)


def test_a_live_snapshot_reads_the_cluster_named_by_the_environment(tmp_path, mongo_uri, monkeypatch):
    with MongoClient(mongo_uri) as client:
        client.apollo.accounts.drop()
        client.apollo.accounts.insert_many([{"_id": i, "plan": "free", "seats": i} for i in range(300)])
        in_id_order = list(client.apollo.accounts.find().sort("_id", 1))
    monkeypatch.setenv("APOLLO_MONGO_URI", mongo_uri)
    resource = MongoClusterResource(uri=dg.EnvVar("APOLLO_MONGO_URI"), ranges=3)
    with dg.build_resources({"mongo": resource}) as resources:
        source = resources.mongo.collection("accounts")
    dataset = PartitionedDataset(open_location(str(tmp_path)), "accounts")
    summary = publish_live_snapshot(source, BACKUP, dataset)
    expected = read_snapshot(
        DumpCollection("accounts", {}, write_dump(tmp_path / "d", "accounts", in_id_order)), BACKUP
    )
    assert summary.documents == 300
    assert dataset.read(BACKUP).equals(pa.Table.from_batches(list(expected.batches()), expected.schema))
