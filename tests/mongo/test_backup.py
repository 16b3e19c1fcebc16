"""open_backup tells a dump directory from an archive, in a backup folder or given directly."""

from __future__ import annotations

import gzip

import pytest

from apollo_assets.mongo import BackupFormatError, backup_databases, open_backup
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.backup import open_dump

from .helpers import encode, write_dump


def test_backup_folder_with_a_dump_directory(tmp_path):
    write_dump(tmp_path / "apollo", "people", [{"_id": 1}])
    (tmp_path / "BACKUP_COMPLETE.json").write_text("{}")
    backup = open_backup(tmp_path)
    assert (backup.format, backup.database, list(backup.collections)) == ("directory", "apollo", ["people"])


@pytest.mark.parametrize("name", ["apollo.archive", "apollo.archive.gz"])
def test_backup_folder_with_an_archive(tmp_path, name):
    write_archive(
        tmp_path / name,
        [ArchiveCollectionSpec("apollo", "people", [encode({"_id": 1})])],
        gzip_compress=name.endswith(".gz"),
    )
    backup = open_backup(tmp_path)
    assert (backup.format, backup.database, backup.gzip) == ("archive", "apollo", name.endswith(".gz"))
    assert [d.raw for d in backup.collections["people"].documents()] == [encode({"_id": 1})]


def test_archive_file_given_directly(tmp_path):
    path = write_archive(tmp_path / "x.bin", [ArchiveCollectionSpec("apollo", "people", [])])
    assert open_backup(path).format == "archive"


def test_folder_with_both_an_archive_and_a_dump_is_ambiguous(tmp_path):
    write_dump(tmp_path / "apollo", "people", [{"_id": 1}])
    write_archive(tmp_path / "apollo.archive", [ArchiveCollectionSpec("apollo", "people", [])])
    with pytest.raises(BackupFormatError, match="both an archive and a dump"):
        open_backup(tmp_path)


def test_several_databases_need_a_choice(tmp_path):
    write_dump(tmp_path / "apollo", "people", [{"_id": 1}])
    write_dump(tmp_path / "other", "things", [{"_id": 1}])
    with pytest.raises(BackupFormatError, match="say which one"):
        open_backup(tmp_path)
    assert list(open_backup(tmp_path, database="other").collections) == ["things"]
    with pytest.raises(BackupFormatError, match="'missing' is not in this backup"):
        open_backup(tmp_path, database="missing")


def test_the_databases_of_a_backup_are_listed(tmp_path):
    write_dump(tmp_path / "dump" / "apollo", "people", [{"_id": 1}])
    write_dump(tmp_path / "dump" / "admin", "system.version", [{"_id": "featureCompatibilityVersion"}])
    (tmp_path / "dump" / "oplog.bson").write_bytes(encode({"ts": 1}))
    assert backup_databases(tmp_path / "dump") == ["admin", "apollo"]
    assert backup_databases(tmp_path / "dump" / "apollo") == ["apollo"]
    specs = [ArchiveCollectionSpec(db, "things", [encode({"_id": 1})]) for db in ("shop", "admin")]
    assert backup_databases(write_archive(tmp_path / "all.archive", specs)) == ["shop", "admin"]


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(BackupFormatError, match="does not exist"):
        open_backup(tmp_path / "nope")


def test_dump_root_with_an_oplog_reads_the_database_folder(tmp_path):
    write_dump(tmp_path / "apollo", "people", [{"_id": 1}])
    (tmp_path / "oplog.bson").write_bytes(encode({"ts": 1}))
    backup = open_backup(tmp_path)
    assert backup.database == "apollo" and list(backup.collections) == ["people"]


def test_what_lies_at_the_top_of_a_whole_server_dump_is_the_oplog_or_left_aside_by_name(tmp_path):
    root = tmp_path / "dump"
    write_dump(root / "shop", "orders", [{"_id": 1}])
    write_dump(root / "crm", "people", [{"_id": 1}])
    (root / "oplog.bson.gz").write_bytes(gzip.compress(encode({"op": "i", "ns": "shop.orders", "o": {"_id": 2}})))
    (root / "orders.bson").write_bytes(encode({"_id": 3}))  # copied to the wrong place
    (root / "notes.txt").write_text("not a dump file")
    dump = open_dump(root)
    assert dump.oplog is not None and dump.oplog.entries == 1
    assert [(a.path, a.reason) for a in dump.left_aside] == [
        (str(root / "orders.bson"), "a dump file at the top of a whole-server dump, outside any database")
    ]
    assert [d.raw for d in dump.databases["shop"].collections["orders"].documents()] == [
        encode({"_id": 1}),
        encode({"_id": 2}),
    ]
