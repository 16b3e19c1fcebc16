"""mongodump directories: collection names, metadata, views, gzip; missing or bad metadata is refused by name."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from urllib.parse import quote_plus

import pytest

from apollo_assets.mongo import BackupFormatError, MetadataError, open_backup
from tests.fixtures_dir import FIXTURE_COUNTS

from .helpers import METADATA, encode, write_dump


def test_every_fixture_database_opens_with_its_metadata(mongodump_fixtures):
    for (db, name), count in FIXTURE_COUNTS.items():
        backup = open_backup(mongodump_fixtures / db)
        assert backup.format == "directory" and backup.database == db
        source = backup.collections[name]
        assert source.name == name
        assert source.metadata["indexes"][0]["name"] == "_id_"
        assert len(source.metadata["uuid"]) == 32
        assert sum(1 for _ in source.documents()) == count


def test_theaters_metadata_keeps_the_2dsphere_index(mongodump_fixtures):
    metadata = open_backup(mongodump_fixtures / "sample_mflix").collections["theaters"].metadata
    assert {"location.geo": "2dsphere"} in [index["key"] for index in metadata["indexes"]]


def test_gzip_data_and_metadata(tmp_path):
    db = tmp_path / "apollo"
    db.mkdir()
    (db / "people.bson.gz").write_bytes(gzip.compress(encode({"_id": 1}) + encode({"_id": 2})))
    (db / "people.metadata.json.gz").write_bytes(gzip.compress(METADATA.encode()))
    backup = open_backup(db)
    assert backup.gzip
    assert [d.raw for d in backup.collections["people"].documents()] == [encode({"_id": 1}), encode({"_id": 2})]


def test_escaped_collection_names_are_unescaped(tmp_path):
    name = "weird/name with + and %"
    stem = quote_plus(name)
    write_dump(tmp_path / "db", stem, [{"_id": 1}], json.dumps({"options": {}, "indexes": [], "collectionName": name}))
    assert list(open_backup(tmp_path / "db").collections) == [name]


def test_hashed_long_collection_names_come_from_the_metadata(tmp_path):
    name = "é" * 120  # 240 bytes: 720 characters once escaped
    digest = base64.urlsafe_b64encode(hashlib.sha1(name.encode()).digest()).decode().rstrip("=")
    stem = quote_plus(name)[:208] + "%24" + digest
    assert len(stem) == 238
    write_dump(tmp_path / "db", stem, [{"_id": 1}], json.dumps({"options": {}, "indexes": [], "collectionName": name}))
    assert list(open_backup(tmp_path / "db").collections) == [name]


def test_hashed_name_without_collection_name_in_metadata_is_refused(tmp_path):
    stem = "c" * 208 + "%24" + "h" * 27
    write_dump(tmp_path / "db", stem, [{"_id": 1}])
    with pytest.raises(MetadataError, match=r"collectionName"):
        open_backup(tmp_path / "db")


def test_views_have_metadata_only(tmp_path):
    db = tmp_path / "db"
    write_dump(db, "people", [{"_id": 1}])
    (db / "adults.metadata.json").write_text(
        json.dumps(
            {
                "options": {"viewOn": "people", "pipeline": [{"$match": {"age": {"$gte": 18}}}]},
                "indexes": [],
                "collectionName": "adults",
                "type": "view",
            }
        )
    )
    backup = open_backup(db)
    assert list(backup.collections) == ["people"]
    assert backup.views["adults"]["options"]["viewOn"] == "people"


def test_a_data_file_without_metadata_is_read_with_default_options_and_a_note(tmp_path):
    """As mongorestore does: an older mongodump, or a .bson file copied alone."""
    path = write_dump(tmp_path / "db", "people", [{"_id": 1}, {"_id": 2}])
    (tmp_path / "db" / "people.metadata.json").unlink()
    backup = open_backup(tmp_path / "db")
    people = backup.collections["people"]
    assert people.metadata == {"options": {}, "indexes": []}
    assert [d.raw for d in people.documents()] == [encode({"_id": 1}), encode({"_id": 2})]
    assert people.provenance() == {"metadata_file": "none: default options"}
    (note,) = backup.notes
    assert str(path) in note and "people.metadata.json" in note and "default options" in note


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "malformed metadata JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"options": {}}', "no 'indexes'"),
        ('{"options": [], "indexes": []}', "'options' must be dict"),
        ('{"indexes": [{"name": "x"}]}', "index #0"),
    ],
)
def test_malformed_metadata_is_refused_naming_the_file(tmp_path, text, message):
    write_dump(tmp_path / "db", "people", [{"_id": 1}], text)
    with pytest.raises(MetadataError, match=message) as info:
        open_backup(tmp_path / "db")
    assert str(tmp_path / "db" / "people.metadata.json") in str(info.value)


def test_metadata_without_data_file_is_refused(tmp_path):
    db = tmp_path / "db"
    write_dump(db, "people", [{"_id": 1}])
    (db / "ghost.metadata.json").write_text(METADATA)
    with pytest.raises(MetadataError, match=r"no ghost.bson"):
        open_backup(db)


def test_metadata_naming_another_collection_is_refused(tmp_path):
    write_dump(tmp_path / "db", "people", [{"_id": 1}], '{"indexes": [], "collectionName": "users"}')
    with pytest.raises(MetadataError, match=r"'users'"):
        open_backup(tmp_path / "db")


def test_plain_and_gzip_data_for_one_collection_is_ambiguous(tmp_path):
    db = tmp_path / "db"
    write_dump(db, "people", [{"_id": 1}])
    (db / "people.bson.gz").write_bytes(gzip.compress(encode({"_id": 1})))
    with pytest.raises(MetadataError, match=r"two data files"):
        open_backup(db)


def test_folder_without_dump_data_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(BackupFormatError, match=r"no mongodump data"):
        open_backup(tmp_path)
