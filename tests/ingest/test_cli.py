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
    """mongodump without --db writes one folder per database (admin included): all are read, none is refused."""
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
    lines = [(line["database"], line["collection"], line["documents"], line["rows"]) for line in _lines(result.stdout)]
    assert lines == [("admin", "system.version", 1, 1), ("crm", "orders", 3, 3), ("shop", "orders", 7, 7)]
    assert "3 databases (admin, crm, shop)" in result.stderr
    assert "oplog.bson: the operations mongodump --oplog recorded during the dump" in result.stderr
    shop = PartitionedDataset(open_location(str(out / "shop")), "orders").read("20261126T040000Z")
    assert sorted(shop.column("total").to_pylist()) == [i * 1.5 for i in range(7)]
    assert PartitionedDataset(open_location(str(out / "crm")), "orders").read("20261126T040000Z").num_rows == 3

    chosen = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "one"), "-c", "crm.orders"])
    assert [(line["database"], line["collection"]) for line in _lines(chosen.stdout)] == [("crm", "orders")]
    bare = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "two"), "-c", "orders", "--database", "shop"])
    assert [(line["database"], line["collection"]) for line in _lines(bare.stdout)] == [("shop", "orders")]
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


def test_the_backup_id_comes_from_the_backup_folder():
    assert backup_id_for("/b/20261126T040000Z/apollo", None) == "20261126T040000Z"
    assert backup_id_for("/b/x", "20250101T000000Z") == "20250101T000000Z"
    assert len(backup_id_for("mongodb://h/db", None)) == 16
