"""The backup on disk is what `mongodump [--gzip]` writes, and it only looks complete once it is."""

import gzip
import json
import re
import struct
from pathlib import Path

import pytest

from apollo_assets.sample_data import Sizes, complete_backup_ids, generate_database, mongodump, write_backup
from apollo_assets.sample_data.world import COLLECTIONS

from .conftest import SMALL
from .helpers import marker, read_backup, read_bson, read_json


def test_bucket_layout_follows_the_contract(bucket: Path) -> None:
    ids = complete_backup_ids(bucket)
    assert ids == ["20261101T040000Z", "20261102T040000Z", "20261103T040000Z"]
    assert sorted(p.name for p in bucket.iterdir()) == ids  # no temporary folder left behind
    backup = bucket / ids[0]
    assert sorted(p.name for p in backup.iterdir()) == ["BACKUP_COMPLETE.json", "apollo"]
    expected = sorted([f"{c}.bson" for c in COLLECTIONS] + [f"{c}.metadata.json" for c in COLLECTIONS])
    assert sorted(p.name for p in (backup / "apollo").iterdir()) == expected


def test_marker_counts_and_sizes_match_the_files(bucket: Path) -> None:
    for backup_id in complete_backup_ids(bucket):
        backup = bucket / backup_id
        manifest = marker(backup)
        assert manifest["backup_id"] == backup_id
        assert (manifest["database"], manifest["format"], manifest["gzip"]) == ("apollo", "directory", False)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["created_at"])
        assert list(manifest["collections"]) == list(COLLECTIONS)
        for name, entry in manifest["collections"].items():
            path = backup / entry["file"]
            assert entry["file"] == f"apollo/{name}.bson"
            assert entry["bytes"] == path.stat().st_size
            assert entry["documents"] == len(read_bson(path)) > 0


def test_bson_files_are_plain_concatenated_documents(bucket: Path) -> None:
    data = (bucket / "20261101T040000Z" / "apollo" / "people.bson").read_bytes()
    offset, documents = 0, 0
    while offset < len(data):  # each document starts with its int32 length and ends with a NUL byte
        (length,) = struct.unpack_from("<i", data, offset)
        assert data[offset + length - 1] == 0
        offset, documents = offset + length, documents + 1
    assert offset == len(data)
    assert documents == marker(bucket / "20261101T040000Z")["collections"]["people"]["documents"]


def test_metadata_json_looks_like_real_mongodump(bucket: Path, mongodump_fixtures: Path) -> None:
    real = [json.loads(p.read_text()) for p in sorted(mongodump_fixtures.glob("*/*.metadata.json"))]
    assert real
    real_index_keys = {k for m in real for index in m["indexes"] for k in index} - {"ns"}
    uuids = set()
    for name in COLLECTIONS:
        meta = read_json(bucket / "20261101T040000Z" / "apollo" / f"{name}.metadata.json")
        assert list(meta) == ["options", "indexes", "uuid", "collectionName", "type"]
        assert meta["options"] == {} and meta["collectionName"] == name and meta["type"] == "collection"
        assert re.fullmatch(r"[0-9a-f]{32}", meta["uuid"])
        uuids.add(meta["uuid"])
        assert meta["indexes"][0] == {"v": 2, "key": {"_id": 1}, "name": "_id_"}
        for index in meta["indexes"]:
            assert {"v", "key", "name"} <= set(index) <= real_index_keys | {"sparse"}
            default_name = "_".join(f"{k}_{v}" for k, v in index["key"].items())
            assert index["name"] in (default_name, "_id_")
        assert all(set(m) <= set(meta) for m in real)  # everything a real dump has, we have
    assert len(uuids) == len(COLLECTIONS)
    users = read_json(bucket / "20261101T040000Z" / "apollo" / "users.metadata.json")
    assert {"v": 2, "key": {"email": 1}, "name": "email_1", "unique": True} in users["indexes"]
    contacts = read_json(bucket / "20261101T040000Z" / "apollo" / "contacts.metadata.json")
    assert any(len(index["key"]) > 1 for index in contacts["indexes"])  # a compound index
    events = read_json(bucket / "20261101T040000Z" / "apollo" / "usage_events.metadata.json")
    assert any(index["key"] == {"timestamp": 1} for index in events["indexes"])


def test_collection_uuid_is_stable_across_backups(bucket: Path) -> None:
    first, last = complete_backup_ids(bucket)[0], complete_backup_ids(bucket)[-1]
    for name in COLLECTIONS:
        a = read_json(bucket / first / "apollo" / f"{name}.metadata.json")
        b = read_json(bucket / last / "apollo" / f"{name}.metadata.json")
        assert a["uuid"] == b["uuid"]


def test_gzip_variant_holds_the_same_documents(tmp_path: Path, bucket: Path) -> None:
    database = generate_database(7, 0, SMALL)
    backup = write_backup(tmp_path, database, "20261101T040000Z", gzip=True)
    manifest = marker(backup)
    assert manifest["gzip"] is True
    names = sorted(p.name for p in (backup / "apollo").iterdir())
    expected = [f"{c}.bson.gz" for c in COLLECTIONS] + [f"{c}.metadata.json.gz" for c in COLLECTIONS]
    assert names == sorted(expected)
    for name, entry in manifest["collections"].items():
        path = backup / entry["file"]
        assert entry["file"] == f"apollo/{name}.bson.gz"
        raw = path.read_bytes()
        assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip magic, mtime 0 like mongodump
        assert gzip.decompress(raw) == (bucket / "20261101T040000Z" / "apollo" / f"{name}.bson").read_bytes()
        assert read_json(backup / "apollo" / f"{name}.metadata.json.gz")["collectionName"] == name
    assert read_backup(backup) == read_backup(bucket / "20261101T040000Z")


class Boom(RuntimeError):
    pass


def test_a_writer_failing_midway_leaves_no_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = mongodump.write_bson_file

    def failing(path: Path, docs, *, gzip: bool = False):
        if path.name.startswith("contacts"):
            raise Boom("disk full")
        return real(path, docs, gzip=gzip)

    monkeypatch.setattr(mongodump, "write_bson_file", failing)
    with pytest.raises(Boom):
        write_backup(tmp_path, generate_database(7, 0, Sizes().scaled(0.05)), "20261101T040000Z")
    assert list(tmp_path.iterdir()) == []
    assert complete_backup_ids(tmp_path) == []


def test_marker_is_written_after_everything_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}
    real = mongodump._write_marker

    def spy(folder: Path, manifest: dict) -> None:
        seen["files"] = sorted(p.name for p in (folder / "apollo").iterdir())
        seen["bucket"] = sorted(p.name for p in tmp_path.iterdir())
        real(folder, manifest)

    monkeypatch.setattr(mongodump, "_write_marker", spy)
    write_backup(tmp_path, generate_database(7, 0, Sizes().scaled(0.05)), "20261101T040000Z")
    assert len(seen["files"]) == 2 * len(COLLECTIONS)  # every file is in its final place before the marker
    assert seen["bucket"] == ["20261101T040000Z"]  # the temporary folder is already renamed


def test_crash_before_the_marker_leaves_an_incomplete_backup_that_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = generate_database(7, 0, Sizes().scaled(0.05))
    with monkeypatch.context() as patch:
        patch.setattr(mongodump, "_write_marker", lambda folder, manifest: (_ for _ in ()).throw(Boom()))
        with pytest.raises(Boom):
            write_backup(tmp_path, database, "20261101T040000Z")
    assert (tmp_path / "20261101T040000Z" / "apollo").is_dir()
    assert complete_backup_ids(tmp_path) == []  # no marker: ignored by readers
    backup = write_backup(tmp_path, database, "20261101T040000Z")
    assert complete_backup_ids(tmp_path) == ["20261101T040000Z"]
    assert marker(backup)["collections"]["people"]["documents"] == len(database["people"])
    with pytest.raises(FileExistsError):
        write_backup(tmp_path, database, "20261101T040000Z")  # a complete backup is never overwritten


def test_backup_id_must_be_a_utc_timestamp(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_backup(tmp_path, {"people": []}, "2026-11-01")
    assert list(tmp_path.iterdir()) == []
