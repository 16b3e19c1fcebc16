"""`mongodump --oplog`: the oplog replayed on the collections' snapshots, as `mongorestore --oplogReplay` does,
so that they hold their state at the end of the dump; what cannot be replayed fails its collection at its position.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import bson
import pytest
from bson.binary import Binary
from bson.int64 import Int64

from apollo_assets.mongo import BackupFormatError
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.backup import open_backup, open_dump
from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.oplog import OplogReplayError, ReplayedCollection

from .bsoncolumn_writer import encode_column
from .helpers import encode, write_dump

LSID = {"id": bson.Binary(b"\x01" * 16, 4), "uid": b"\x02" * 32}


def i(ns: str, doc: dict) -> dict:
    return {"op": "i", "ns": ns, "o": doc, "ts": bson.Timestamp(1, 1)}


def u(ns: str, _id: object, o: dict) -> dict:
    return {"op": "u", "ns": ns, "o": o, "o2": {"_id": _id}, "ts": bson.Timestamp(1, 1)}


def d(ns: str, _id: object) -> dict:
    return {"op": "d", "ns": ns, "o": {"_id": _id}, "ts": bson.Timestamp(1, 1)}


def c(db: str, command: dict, **extra: object) -> dict:
    return {"op": "c", "ns": f"{db}.$cmd", "o": command, "ts": bson.Timestamp(1, 1), **extra}


def write_oplog(root, entries: list[dict]) -> list[int]:
    """Write `root/oplog.bson`; returns each entry's byte offset."""
    raws = [encode(e) for e in entries]
    (root / "oplog.bson").write_bytes(b"".join(raws))
    offsets, at = [], 0
    for raw in raws:
        offsets.append(at)
        at += len(raw)
    return offsets


def docs(source) -> list[dict]:
    return [bson.decode(doc.raw, codec_options=DECODE_OPTIONS) for doc in source.documents()]


def by_id(source) -> dict:
    return {doc["_id"]: doc for doc in docs(source)}


@pytest.fixture
def dump(tmp_path):
    root = tmp_path / "dump"
    write_dump(root / "shop", "orders", [{"_id": n, "total": n * 10, "items": ["a"]} for n in range(1, 6)])
    write_dump(root / "shop", "logs", [{"_id": n} for n in range(3)])
    write_dump(root / "crm", "people", [{"_id": "p1", "name": "Ada"}])
    write_dump(root / "admin", "system.version", [{"_id": "featureCompatibilityVersion", "version": "8.0"}])
    return root


def test_every_kind_of_entry_is_replayed(dump):
    entries = [
        c("admin", {"applyOps": [i("shop.orders", {"_id": 7, "total": 70})]}),  # applyOps, outside a transaction
        i("shop.orders", {"_id": 6, "total": 60}),
        d("shop.orders", 2),
        u("shop.orders", 3, {"_id": 3, "total": 33}),  # replacement
        u("shop.orders", 4, {"$set": {"total": 44, "shipping.city": "Lyon"}, "$unset": {"items": True}}),  # $v: 1
        u(
            "shop.orders",
            5,
            {"$v": 2, "diff": {"u": {"total": 55}, "i": {"paid": True}, "sitems": {"a": True, "u1": "b"}}},
        ),
        u("shop.orders", 6, {"$v": 2, "diff": {"d": {"total": False}}}),
        {"op": "n", "ns": "", "o": {"msg": "periodic noop"}},
        c("shop", {"createIndexes": "orders", "v": 2, "key": {"total": 1}, "name": "total_1"}),
        # A transaction over two entries: applied at its last one.
        c("admin", {"applyOps": [i("shop.orders", {"_id": 8})], "partialTxn": True}, lsid=LSID, txnNumber=Int64(1)),
        c("admin", {"applyOps": [u("shop.orders", 8, {"$set": {"total": 80}})]}, lsid=LSID, txnNumber=Int64(1)),
        # One the oplog does not finish: not applied.
        c("admin", {"applyOps": [i("shop.orders", {"_id": 9})], "partialTxn": True}, lsid=LSID, txnNumber=Int64(2)),
        i("crm.people", {"_id": "p2", "name": "Bob"}),
        c("shop", {"drop": "logs"}),
        i("shop.logs", {"_id": 100}),
    ]
    write_oplog(dump, entries)
    opened = open_dump(dump)
    shop, crm = opened.databases["shop"], opened.databases["crm"]
    orders = shop.collections["orders"]
    assert isinstance(orders, ReplayedCollection)
    assert by_id(orders) == {
        1: {"_id": 1, "total": 10, "items": ["a"]},
        3: {"_id": 3, "total": 33},
        4: {"_id": 4, "total": 44, "shipping": {"city": "Lyon"}},
        5: {"_id": 5, "total": 55, "items": ["a", "b"], "paid": True},
        6: {"_id": 6},
        7: {"_id": 7, "total": 70},
        8: {"_id": 8, "total": 80},
    }
    assert [doc["_id"] for doc in docs(orders)] == [1, 3, 4, 5, 7, 6, 8]  # untouched first, then replayed
    assert orders.provenance() == {"oplog_entries_applied": 9}
    assert docs(shop.collections["logs"]) == [{"_id": 100}]  # dropped during the dump, written again
    assert by_id(crm.collections["people"]) == {"p1": {"_id": "p1", "name": "Ada"}, "p2": {"_id": "p2", "name": "Bob"}}
    assert opened.databases["admin"].collections["system.version"].provenance() == {}  # the oplog does not touch it
    assert opened.oplog.entries == len(entries)
    assert dict(opened.oplog.skipped) == {
        "no-op": 1,
        "no document change (collection or index definition)": 1,
        "in a transaction that the oplog does not finish": 1,
    }


def test_a_collection_that_only_the_oplog_has_is_read_from_it(dump):
    write_oplog(dump, [i("shop.new", {"_id": 1}), u("shop.new", 1, {"$set": {"x": 1}}), c("shop", {"create": "empty"})])
    opened = open_dump(dump)
    assert docs(opened.databases["shop"].collections["new"]) == [{"_id": 1, "x": 1}]
    assert "empty" not in opened.databases["shop"].collections
    assert any("'new' of 'shop' is not in the dump" in note for note in opened.notes)


def test_a_database_dropped_during_the_dump_keeps_what_was_written_after(dump):
    write_oplog(dump, [c("shop", {"dropDatabase": 1}), i("shop.orders", {"_id": 42})])
    shop = open_dump(dump).databases["shop"]
    assert docs(shop.collections["orders"]) == [{"_id": 42}] and docs(shop.collections["logs"]) == []


def test_an_update_of_a_document_the_dump_misses_is_fine_when_a_later_entry_removes_or_writes_it(dump):
    write_oplog(
        dump,
        [
            u("shop.orders", 10, {"$set": {"x": 1}}),  # deleted before mongodump reached it
            d("shop.orders", 10),
            u("shop.orders", 11, {"$set": {"x": 1}}),  # replaced later
            u("shop.orders", 11, {"_id": 11, "y": 2}),
        ],
    )
    assert by_id(open_dump(dump).databases["shop"].collections["orders"])[11] == {"_id": 11, "y": 2}


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (u("shop.orders", 12, {"$set": {"x": "secret-value"}}), "update of a document that is neither in the dump"),
        (u("shop.orders", 1, {"$inc": {"total": 1}}), "update cannot be applied: the $inc operator"),
        (c("shop", {"renameCollection": "shop.orders", "to": "shop.archive"}), "renameCollection is not replayed"),
        (c("shop", {"convertToCapped": "orders", "size": 1000}), "command 'convertToCapped' is not replayed"),
        (
            c("admin", {"applyOps": [i("shop.orders", {"_id": 9})], "prepare": True}, lsid=LSID, txnNumber=Int64(3)),
            "a prepared transaction",
        ),
    ],
)
def test_an_entry_that_cannot_be_replayed_fails_its_collection_at_its_position(dump, entry, problem):
    offsets = write_oplog(dump, [i("crm.people", {"_id": "p9"}), entry])
    opened = open_dump(dump)
    with pytest.raises(OplogReplayError) as info:
        docs(opened.databases["shop"].collections["orders"])
    message = str(info.value)
    assert f"oplog.bson: entry #1 at byte offset {offsets[1]}" in message and problem in message
    assert "collection 'shop.orders'" in message and "secret-value" not in message
    assert len(docs(opened.databases["crm"].collections["people"])) == 2  # the other collections are read


def test_replay_can_be_turned_off_and_an_oplog_beside_a_database_folder_is_named(dump):
    write_oplog(dump, [i("shop.orders", {"_id": 6})])
    opened = open_dump(dump, replay_oplog=False)
    assert opened.oplog is None and len(docs(opened.databases["shop"].collections["orders"])) == 5
    assert [(a.path, a.reason) for a in opened.left_aside] == [
        (str(dump / "oplog.bson"), "the oplog of a mongodump --oplog dump: not replayed")
    ]
    alone = open_dump(dump / "shop")
    assert alone.oplog is None and "not replayed (open the dump root)" in alone.left_aside[0].reason


def test_an_archive_oplog_is_replayed(tmp_path):
    specs = [
        ArchiveCollectionSpec("shop", "orders", [encode({"_id": n}) for n in range(3)]),
        ArchiveCollectionSpec("", "oplog", [encode(i("shop.orders", {"_id": 3})), encode(d("shop.orders", 0))]),
    ]
    path = write_archive(tmp_path / "dump.archive", specs)
    opened = open_dump(path)
    assert opened.oplog is not None and opened.oplog.entries == 2
    assert sorted(doc["_id"] for doc in docs(opened.databases["shop"].collections["orders"])) == [1, 2, 3]
    assert sorted(doc["_id"] for doc in docs(open_backup(path, replay_oplog=False).collections["orders"])) == [0, 1, 2]


def test_the_oplog_of_a_time_series_collection_changes_its_buckets(tmp_path):
    """A version 1 bucket grows by `$v: 2` diffs inserting a row in each column (MongoDB 5.0 to 7.x); a compressed
    one by binary diffs appending to its columns (8.0): both are unpacked after the replay."""
    t0 = dt.datetime(2026, 3, 1, 12, 0)
    v1 = {"_id": bson.ObjectId(), "control": {"version": 1}, "meta": "a", "data": {"ts": {"0": t0}, "v": {"0": 1}}}
    ts_before, ts_after = encode_column([t0]), encode_column([t0, t0 + dt.timedelta(seconds=5)])
    v_before, v_after = encode_column([1.5], scale=10), encode_column([1.5, 2.5], scale=10)
    assert ts_after.startswith(ts_before[:-1]) and v_after.startswith(v_before[:-1])
    v2 = {
        "_id": bson.ObjectId(),
        "control": {"version": 2, "count": 1},
        "meta": "b",
        "data": {"ts": Binary(ts_before, 7), "v": Binary(v_before, 7)},
    }
    root = tmp_path / "dump"
    metadata = {"options": {"timeseries": {"timeField": "ts", "metaField": "m"}}, "indexes": [], "type": "timeseries"}
    write_dump(root / "iot", "system.buckets.readings", [v1, v2])
    (root / "iot" / "system.buckets.readings.metadata.json").unlink()
    (root / "iot" / "readings.metadata.json").write_text(json.dumps(metadata))
    ns = "iot.system.buckets.readings"
    binary = {
        f: {"o": len(before) - 1, "d": after[len(before) - 1 :]}
        for f, before, after in (("ts", ts_before, ts_after), ("v", v_before, v_after))
    }
    write_oplog(
        root,
        [
            u(
                ns,
                v1["_id"],
                {
                    "$v": 2,
                    "diff": {"sdata": {"sts": {"i": {"1": t0 + dt.timedelta(seconds=1)}}, "sv": {"i": {"1": 2}}}},
                },
            ),
            u(ns, v2["_id"], {"$v": 2, "diff": {"scontrol": {"u": {"count": 2}}, "sdata": {"b": binary}}}),
        ],
    )
    readings = open_dump(root).databases["iot"].collections["readings"]
    assert docs(readings) == [
        {"ts": t0, "m": "a", "v": 1},
        {"ts": t0 + dt.timedelta(seconds=1), "m": "a", "v": 2},
        {"ts": t0, "m": "b", "v": 1.5},
        {"ts": t0 + dt.timedelta(seconds=5), "m": "b", "v": 2.5},
    ]
    assert readings.provenance() == {
        "oplog_entries_applied": 2,
        "unpacked_from": "system.buckets.readings",
        "buckets": 2,
    }


def test_an_oplog_entry_that_is_not_bson_is_refused_naming_it(dump):
    (dump / "oplog.bson").write_bytes(
        encode(i("shop.orders", {"_id": 6})) + b"\x0c\x00\x00\x00\x02a\x00\xff\xff\xff\xff\x00"
    )
    with pytest.raises(BackupFormatError, match=r"oplog entry #1 does not decode"):
        open_dump(dump)


def test_ids_of_every_kind_are_matched_as_the_server_compares_them(tmp_path):
    """The dump's `_id`s are compared as stored; numbers by value (the oplog's 5.0 is the dump's 5)."""
    uid, oid = uuid.UUID(int=7), bson.ObjectId("65a6eba7e6d2e848e08c3750")
    ids = ["text", oid, uid, 5, Int64(2**40), {"k": 1}]
    root = tmp_path / "dump"
    write_dump(root / "shop", "things", [{"_id": v, "n": 0} for v in ids])
    updates = [u("shop.things", v, {"$set": {"n": 1}}) for v in ["text", oid, uid, 5.0, 2**40, {"k": 1}]]
    write_oplog(root, updates)
    things = docs(open_dump(root).databases["shop"].collections["things"])
    assert len(things) == len(ids) and all(doc["n"] == 1 for doc in things)
