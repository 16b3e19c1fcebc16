"""`apollo ingest` of a whole server's mongodump as MongoDB's tools write it: a time-series collection (version 1
and compressed buckets), MongoDB's own `admin`/`config`/`local` data and `system.*` collections, a view, a `.bson`
without its metadata, a stray `.bson` at the top, and the oplog of `--oplog` with every kind of entry.

Every user document is accounted for (measurements for the time-series collection, the oplog replayed) and
everything else is named, on stderr and in a JSON line with `skipped`: nothing is left out silently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import bson
import pytest
from bson.binary import Binary
from bson.int64 import Int64
from click.testing import CliRunner

from apollo_assets.cli.ingest import ingest
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.names import path_segment
from tests.mongo.bsoncolumn_writer import encode_column
from tests.mongo.helpers import METADATA, encode, write_dump

BACKUP = "20261126T040000Z"
T0 = dt.datetime(2026, 3, 1, 12, 0)
LSID = {"id": bson.Binary(b"\x07" * 16, 4), "uid": b"\x03" * 32}
SECRET = "SCRAM-hash-that-must-not-leak"
SERIES = {
    "options": {"timeseries": {"timeField": "at", "metaField": "device", "granularity": "seconds"}},
    "indexes": [],
    "collectionName": "events",
    "type": "timeseries",
}
VIEW = {
    "options": {"viewOn": "orders", "pipeline": [{"$match": {"total": {"$gte": 100}}}, {"$project": {"note": 0}}]},
    "indexes": [],
    "collectionName": "big_orders",
    "type": "view",
}


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("APOLLO_MASKING_KEY", "ab" * 32)


def ts_column(times: list[dt.datetime]) -> Binary:
    return Binary(encode_column(times), 7)


def whole_server_dump(root: Path) -> dict:
    """Writes the dump; returns what the oplog must make of it."""
    write_dump(
        root / "admin",
        "system.users",
        [{"_id": "admin.root", "user": "root", "credentials": {"SCRAM-SHA-256": SECRET}}],
    )
    write_dump(root / "admin", "system.version", [{"_id": "featureCompatibilityVersion", "version": "8.0"}])
    write_dump(root / "config", "transactions", [{"_id": {"id": bson.Binary(b"\x01" * 16, 4)}, "txnNum": Int64(1)}])
    write_dump(root / "local", "startup_log", [{"_id": "host-1", "hostname": "db-1"}])
    shop = root / "shop"
    write_dump(shop, "orders", [{"_id": n, "total": n * 50, "note": f"order {n}"} for n in range(1, 11)])
    write_dump(shop, "system.views", [{"_id": "shop.big_orders", "viewOn": "orders"}])
    (shop / "big_orders.metadata.json").write_text(json.dumps(VIEW))
    # A time-series collection: one version 1 bucket of 3 measurements, one compressed bucket of 4 (a field missing).
    v1 = {
        "_id": bson.ObjectId("65a6eba7e6d2e848e08c3750"),
        "control": {"version": 1, "min": {}, "max": {}},
        "meta": {"device": "d1"},
        "data": {"at": {str(k): T0 + dt.timedelta(seconds=k) for k in range(3)}, "n": {"0": 1, "1": 2, "2": 3}},
    }
    v2_times = [T0 + dt.timedelta(minutes=k) for k in range(4)]
    v2 = {
        "_id": bson.ObjectId("65a6eba7e6d2e848e08c3751"),
        "control": {"version": 2, "min": {}, "max": {}, "count": 4},
        "meta": {"device": "d2"},
        "data": {"at": ts_column(v2_times), "n": Binary(encode_column([10, None, 30, 40]), 7)},
    }
    write_dump(shop, "system.buckets.events", [v1, v2])
    (shop / "system.buckets.events.metadata.json").unlink()  # mongodump writes the collection's metadata only
    (shop / "events.metadata.json").write_text(json.dumps(SERIES))
    write_dump(shop, "legacy", [{"_id": f"l{n}", "email": f"l{n}@example.com"} for n in range(4)])
    (shop / "legacy.metadata.json").unlink()  # a .bson file without its metadata
    (root / "stray.bson").write_bytes(encode({"_id": "lost"}))  # outside any database folder
    (root / "stray.metadata.json").write_text(METADATA)
    entries = [
        {"op": "i", "ns": "shop.orders", "o": {"_id": 11, "total": 550}},
        {"op": "d", "ns": "shop.orders", "o": {"_id": 2}},
        {"op": "u", "ns": "shop.orders", "o2": {"_id": 3}, "o": {"_id": 3, "total": 1}},  # replacement
        {
            "op": "u",
            "ns": "shop.orders",
            "o2": {"_id": 4},
            "o": {"$v": 1, "$set": {"total": 444}, "$unset": {"note": 1}},
        },
        {
            "op": "u",
            "ns": "shop.orders",
            "o2": {"_id": 5},
            "o": {"$v": 2, "diff": {"u": {"total": 555}, "d": {"note": False}}},
        },
        {"op": "c", "ns": "admin.$cmd", "o": {"applyOps": [{"op": "i", "ns": "shop.orders", "o": {"_id": 12}}]}},
        {
            "op": "c",
            "ns": "admin.$cmd",
            "lsid": LSID,
            "txnNumber": Int64(1),
            "o": {"applyOps": [{"op": "i", "ns": "shop.orders", "o": {"_id": 13}}], "partialTxn": True},
        },
        {
            "op": "c",
            "ns": "admin.$cmd",
            "lsid": LSID,
            "txnNumber": Int64(1),
            "o": {"applyOps": [{"op": "d", "ns": "shop.orders", "o": {"_id": 1}}]},
        },
        {"op": "n", "ns": "", "o": {"msg": "periodic noop"}},
        {"op": "c", "ns": "shop.$cmd", "o": {"createIndexes": "orders", "key": {"total": 1}, "name": "total_1"}},
        {"op": "i", "ns": "admin.system.users", "o": {"_id": "admin.app", "credentials": {"x": SECRET}}},
        # A measurement added to each bucket: a row inserted (v1), columns grown by binary diffs (compressed).
        {
            "op": "u",
            "ns": "shop.system.buckets.events",
            "o2": {"_id": v1["_id"]},
            "o": {
                "$v": 2,
                "diff": {"sdata": {"sat": {"i": {"3": T0 + dt.timedelta(seconds=3)}}, "sn": {"i": {"3": 4}}}},
            },
        },
        {
            "op": "u",
            "ns": "shop.system.buckets.events",
            "o2": {"_id": v2["_id"]},
            "o": {
                "$v": 2,
                "diff": {"scontrol": {"u": {"count": 5}}, "sdata": {"b": _grown(v2_times, [10, None, 30, 40, 50])}},
            },
        },
    ]
    (root / "oplog.bson").write_bytes(b"".join(encode(e) for e in entries))
    return {
        "entries": len(entries),
        "orders": {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},  # 1 and 2 deleted; 11, 12, 13 inserted
        "events": 3 + 4 + 2,
        "measurements": {
            *(("d1", T0 + dt.timedelta(seconds=k), k + 1) for k in range(4)),
            *(("d2", T0 + dt.timedelta(minutes=k), n) for k, n in enumerate([10, None, 30, 40, 50])),
        },
        "legacy": 4,
    }


def _grown(times: list[dt.datetime], n: list) -> dict:
    """Binary diffs that append one measurement (a minute later, n = 50) to the compressed bucket's columns."""
    diffs = {}
    for field, before, after in (
        ("at", encode_column(times), encode_column([*times, times[-1] + dt.timedelta(minutes=1)])),
        ("n", encode_column(n[:-1]), encode_column(n)),
    ):
        same = next(k for k in range(len(before)) if before[k] != after[k])  # MongoDB rewrites from the first change
        diffs[field] = {"o": same, "d": after[same:]}
    return diffs


def policies(tmp_path: Path) -> Path:
    """Policies that keep the ids and numbers (a system collection's, which would keep credentials, is ignored)."""
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text("collection: orders\nfields:\n  _id: keep\n  total: keep\n")
    (folder / "events.yaml").write_text(
        "collection: events\nfields:\n  at: keep\n  n: keep\n  device: keep\n  device.device: keep\n"
    )
    (folder / "system.users.yaml").write_text("collection: system.users\nfields:\n  credentials: keep\n")
    return folder


def lines_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def dataset(out: Path, database: str, collection: str):
    return PartitionedDataset(open_location(str(out / database)), path_segment(collection)).read(BACKUP)


def test_every_user_document_is_accounted_for_and_nothing_is_skipped_silently(tmp_path):
    root = tmp_path / "dump"
    expected = whole_server_dump(root)
    out = tmp_path / "out"
    options = ["--backup-id", BACKUP, "--no-progress", "--policy-dir", str(policies(tmp_path))]
    result = CliRunner().invoke(ingest, [str(root), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    lines = lines_of(result.stdout)
    ingested = {(x["database"], x["collection"]): x for x in lines if "rows" in x}
    skipped = [x for x in lines if "skipped" in x]
    (oplog,) = [x for x in lines if "oplog" in x]

    # User data: the state at the end of the dump.
    assert set(ingested) == {("shop", "orders"), ("shop", "events"), ("shop", "legacy")}
    orders = dataset(out, "shop", "orders")
    assert set(orders.column("_id").to_pylist()) == expected["orders"]
    assert ingested["shop", "orders"]["oplog_entries_applied"] == 8
    events = ingested["shop", "events"]
    assert (events["rows"], events["unpacked_from"], events["buckets"]) == (
        expected["events"],
        "system.buckets.events",
        2,
    )
    assert events["oplog_entries_applied"] == 2
    table = dataset(out, "shop", "events")
    measured = {(r["device"]["device"], r["at"].replace(tzinfo=None), r["n"]) for r in table.to_pylist()}
    assert measured == expected["measurements"] and table.num_rows == expected["events"]
    assert ingested["shop", "legacy"]["rows"] == expected["legacy"]
    assert ingested["shop", "legacy"]["metadata_file"] == "none: default options"

    # Everything else, named.
    by_name = {(x.get("database"), x.get("collection") or x.get("file")): x["skipped"] for x in skipped}
    assert by_name == {
        ("admin", "system.users"): "system collection",
        ("admin", "system.version"): "system collection",
        ("config", "transactions"): "system collection",
        ("local", "startup_log"): "system collection",
        ("shop", "system.views"): "system collection",
        ("shop", "big_orders"): "view",
        (None, str(root / "stray.bson")): "a dump file at the top of a whole-server dump, outside any database",
        (
            None,
            str(root / "stray.metadata.json"),
        ): "a dump file at the top of a whole-server dump, outside any database",
    }
    view = next(x for x in skipped if x.get("collection") == "big_orders")
    assert view["view_on"] == "orders" and view["pipeline"] == VIEW["options"]["pipeline"]
    assert oplog["entries"] == expected["entries"] and oplog["operations_replayed"] == 8 + 2
    assert oplog["not_replayed"] == {
        "no-op": 1,
        "no document change (collection or index definition)": 1,
        "on collections not ingested (skipped, not chosen, or failed)": 1,
    }
    for fragment in (
        "stray.bson: skipped",
        "admin.system.users",
        "shop.big_orders: skipped: a view on orders",
        "legacy.bson: no metadata file",
    ):
        assert fragment in result.stderr

    # Every file of the dump is one of the above.
    accounted = {str(root / "oplog.bson"), str(root / "stray.bson"), str(root / "stray.metadata.json")}
    for db, name in [*ingested, *((x["database"], x["collection"]) for x in skipped if "database" in x)]:
        accounted |= {str(root / db / f"{name}.bson"), str(root / db / f"{name}.metadata.json")}
    accounted.add(str(root / "shop" / "system.buckets.events.bson"))  # unpacked_from of shop.events
    assert {str(p) for p in root.rglob("*") if p.is_file()} <= accounted
    assert SECRET not in result.output and not (out / "admin").exists()


def test_system_collections_come_in_masked_fail_closed_only_when_asked(tmp_path):
    root = tmp_path / "dump"
    whole_server_dump(root)
    named = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "a"), "-c", "admin.system.users"])
    assert named.exit_code == 1 and "are system collections (--include-system reads them)" in named.output
    view = CliRunner().invoke(ingest, [str(root), "--out", str(tmp_path / "b"), "-c", "big_orders"])
    assert view.exit_code == 1 and "are views (definitions only, not ingested)" in view.output
    out = tmp_path / "c"
    options = [
        "-c",
        "admin.system.users",
        "--include-system",
        "--backup-id",
        BACKUP,
        "--policy-dir",
        str(policies(tmp_path)),
    ]
    result = CliRunner().invoke(ingest, [str(root), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in lines_of(result.stdout) if "rows" in x]
    assert line["policy"] == "default (fail-closed)" and line["rows"] == 2  # + the one the oplog inserted
    assert "admin.system.users: no masking policy: masked fail-closed" in result.stderr
    users = dataset(out, "admin", "system.users")
    assert SECRET not in json.dumps(users.to_pylist(), default=str)


def test_without_oplog_replay_the_oplog_is_listed_as_skipped(tmp_path):
    root = tmp_path / "dump"
    whole_server_dump(root)
    out = tmp_path / "out"
    result = CliRunner().invoke(ingest, [str(root), "--out", str(out), "--no-oplog-replay", "-c", "shop.orders"])
    assert result.exit_code == 0, result.output
    lines = lines_of(result.stdout)
    assert {"file": str(root / "oplog.bson"), "skipped": "the oplog of a mongodump --oplog dump: not replayed"} in lines
    assert next(x for x in lines if "rows" in x)["rows"] == 10 and not any("oplog" in x for x in lines)
