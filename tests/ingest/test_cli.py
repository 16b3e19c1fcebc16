"""`apollo ingest`: one masked dataset and one JSON line per collection, fail-closed without a policy."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pymongo import MongoClient

from apollo_assets.cli.ingest import backup_id_for, ingest
from apollo_assets.lake import PartitionedDataset, open_location
from tests.mongo.helpers import METADATA, encode, write_dump


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APOLLO_MASKING_KEY", "ab" * 32)


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _ingested(output: str) -> list[dict]:
    """The lines of collections ingested (not those of what was skipped, nor the oplog's)."""
    return [line for line in _lines(output) if "rows" in line]


@pytest.mark.integration  # two worker processes
def test_a_dump_folder_gives_one_masked_dataset_and_summary_per_collection(people_dump, tmp_path):
    (people_dump / "gadgets.bson").write_bytes(b"".join(encode({"_id": i, "owner": f"o{i}@x.io"}) for i in range(9)))
    (people_dump / "gadgets.metadata.json").write_text(METADATA)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        ingest, [str(people_dump), "--out", str(out), "--workers", "2", "--backup-id", "20261126T040000Z"]
    )
    assert result.exit_code == 0, result.output
    lines = {line["collection"]: line for line in _lines(result.stdout)}
    assert set(lines) == {"gadgets", "people"}
    for key in ("documents", "rows", "quarantined", "bytes", "seconds"):
        assert key in lines["people"]
    assert lines["people"]["rows"] == 3000 and lines["gadgets"]["policy"] == "default (fail-closed)"
    assert "gadgets: no masking policy: masked fail-closed" in result.stderr and "'owner': 'hash'" in result.stderr
    gadgets = PartitionedDataset(open_location(str(out)), "gadgets").read("20261126T040000Z")
    assert not any("@x.io" in str(v) for v in gadgets.column("owner").to_pylist())


def test_collections_can_be_chosen_and_unknown_ones_are_refused(people_dump, tmp_path):
    result = CliRunner().invoke(ingest, [str(people_dump), "--out", str(tmp_path), "-c", "people", "--no-progress"])
    assert result.exit_code == 0 and [line["collection"] for line in _lines(result.stdout)] == ["people"]
    result = CliRunner().invoke(ingest, [str(people_dump), "--out", str(tmp_path), "-c", "nope"])
    assert result.exit_code == 1 and "has no collection(s) ['nope']" in result.output


def test_a_whole_server_dump_gives_each_database_its_folder(tmp_path):
    """mongodump without --db writes one folder per database (admin included): all are read, none is refused;
    `admin` is MongoDB's own and is listed as skipped."""
    root = tmp_path / "dump"
    write_dump(root / "shop", "orders", [{"_id": i, "total": i * 1.5} for i in range(7)])
    write_dump(root / "crm", "orders", [{"_id": i, "note": f"n{i}"} for i in range(3)])
    write_dump(root / "admin", "system.version", [{"_id": "featureCompatibilityVersion", "version": "8.0"}])
    (root / "oplog.bson").write_bytes(encode({"ts": 1, "op": "n"}))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "orders.yaml").write_text("collection: orders\nfields:\n  _id: keep\n  total: keep\n  note: hash\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        ingest, [str(root), "--out", str(out), "--backup-id", "20261126T040000Z", "--policy-dir", str(policies)]
    )
    assert result.exit_code == 0, result.output
    every = _lines(result.stdout)
    lines = [(x["database"], x["collection"], x["documents"], x["rows"]) for x in _ingested(result.stdout)]
    assert lines == [("crm", "orders", 3, 3), ("shop", "orders", 7, 7)]
    assert {"database": "admin", "collection": "system.version", "skipped": "system collection"} in every
    assert "3 databases (admin, crm, shop)" in result.stderr
    oplog = next(line for line in every if "oplog" in line)
    assert (oplog["entries"], oplog["operations_replayed"], oplog["not_replayed"]) == (1, 0, {"no-op": 1})
    shop = PartitionedDataset(open_location(str(out / "shop")), "orders").read("20261126T040000Z")
    assert sorted(shop.column("total").to_pylist()) == [i * 1.5 for i in range(7)]
    assert PartitionedDataset(open_location(str(out / "crm")), "orders").read("20261126T040000Z").num_rows == 3

    chosen = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "one"), "-c", "crm.orders"])
    assert [(line["database"], line["collection"]) for line in _ingested(chosen.stdout)] == [("crm", "orders")]
    bare = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "two"), "-c", "orders", "--database", "shop"])
    assert [(line["database"], line["collection"]) for line in _ingested(bare.stdout)] == [("shop", "orders")]
    assert (tmp_path / "two" / "orders").is_dir()  # one database: no database folder
    unknown = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "three"), "-c", "shop.nope"])
    assert unknown.exit_code == 1 and "has no collection(s) ['shop.nope']" in unknown.output
    assert "'crm.orders'" in unknown.output


def test_the_platform_policies_apply_to_its_own_database_only(tmp_path):
    """`crm.people` is not the platform's `people`: what the platform's policy keeps (`title`) is masked there."""
    documents = [{"_id": i, "title": f"Head of {i}", "city": "Lyon"} for i in range(4)]
    write_dump(tmp_path / "dump" / "apollo", "people", documents)
    write_dump(tmp_path / "dump" / "crm", "people", documents)
    out = tmp_path / "out"
    result = CliRunner().invoke(ingest, [str(tmp_path / "dump"), "--out", str(out), "--backup-id", "20261126T040000Z"])
    assert result.exit_code == 0, result.output
    policies = {line["database"]: line["policy"] for line in _lines(result.stdout)}
    assert policies["apollo"].endswith("people.yaml") and policies["crm"] == "default (fail-closed)"
    titles = {
        db: PartitionedDataset(open_location(str(out / db)), "people").read("20261126T040000Z").column("title")
        for db in ("apollo", "crm")
    }
    assert sorted(titles["apollo"].to_pylist()) == sorted(d["title"] for d in documents)
    assert not set(titles["crm"].to_pylist()) & {d["title"] for d in documents}
    assert "crm.people: no masking policy: masked fail-closed" in result.stderr


def test_a_live_cluster_is_read_from_its_uri(mongo_uri, tmp_path, monkeypatch):
    with MongoClient(mongo_uri) as client:
        client.shop.orders.drop()
        client.shop.orders.insert_many([{"_id": i, "total": i * 1.5} for i in range(120)])
    monkeypatch.setenv("APOLLO_MONGO_URI", mongo_uri)
    result = CliRunner().invoke(ingest, ["live", "--out", str(tmp_path), "--database", "shop", "--ranges", "3"])
    assert result.exit_code == 0, result.output
    (line,) = _lines(result.stdout)
    assert (line["collection"], line["documents"], line["rows"]) == ("orders", 120, 120)


def test_a_live_cluster_s_views_are_listed_with_their_pipeline_not_read(mongo_uri, tmp_path, monkeypatch):
    with MongoClient(mongo_uri) as client:
        client.views_db.drop_collection("big")
        client.views_db.orders.drop()
        client.views_db.orders.insert_many([{"_id": i, "total": i} for i in range(5)])
        client.views_db.create_collection("big", viewOn="orders", pipeline=[{"$match": {"total": {"$gt": 2}}}])
    monkeypatch.setenv("APOLLO_MONGO_URI", mongo_uri)
    result = CliRunner().invoke(ingest, ["live", "--out", str(tmp_path), "--database", "views_db"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [(x["collection"], x["rows"]) for x in _ingested(result.stdout)] == [("orders", 5)]
    view = {"database": "views_db", "collection": "big", "skipped": "view", "view_on": "orders"}
    assert {**view, "pipeline": [{"$match": {"total": {"$gt": 2}}}]} in lines
    assert "views_db.big: skipped: a view on orders" in result.stderr


def test_the_uri_comes_from_a_named_variable_or_from_argv_only_when_asked(mongo_uri, tmp_path, monkeypatch):
    """`ps` shows every process's arguments to every user: a URI (and its password) belongs in the environment."""
    with MongoClient(mongo_uri) as client:
        client.shop.orders.drop()
        client.shop.orders.insert_many([{"_id": i, "total": i * 1.5} for i in range(30)])
    monkeypatch.delenv("APOLLO_MONGO_URI", raising=False)
    monkeypatch.setenv("SHOP_CLUSTER", mongo_uri)
    named = CliRunner().invoke(ingest, ["env:SHOP_CLUSTER", "--out", str(tmp_path / "a"), "--database", "shop"])
    assert named.exit_code == 0, named.output
    assert [(line["collection"], line["rows"]) for line in _lines(named.stdout)] == [("orders", 30)]
    refused = CliRunner().invoke(ingest, [mongo_uri, "--out", str(tmp_path / "b"), "--database", "shop"])
    assert refused.exit_code == 1 and "--allow-uri-argument" in refused.stderr and not (tmp_path / "b").exists()
    allowed = [mongo_uri, "--out", str(tmp_path / "b"), "--database", "shop", "--allow-uri-argument"]
    assert CliRunner().invoke(ingest, allowed).exit_code == 0


def test_the_backup_id_comes_from_the_backup_folder():
    assert backup_id_for("/b/20261126T040000Z/apollo", None) == "20261126T040000Z"
    assert backup_id_for("/b/20261126T040000Z\n/apollo", None) != "20261126T040000Z\n"
    assert backup_id_for("/b/x", "20250101T000000Z") == "20250101T000000Z"
    assert len(backup_id_for("mongodb://h/db", None)) == 16
    assert len(backup_id_for("env:MY_URI", None)) == 16
