"""mongodump --archive: the spec's byte layout, interleaved collections, CRC-64 checks, and broken archives."""

from __future__ import annotations

import gzip
import struct

import bson
import pytest
from bson.int64 import Int64
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apollo_assets.mongo import ArchiveChecksumError, BackupFormatError, MetadataError, open_backup
from apollo_assets.mongo.archive_writer import ArchiveCollectionSpec, write_archive
from apollo_assets.mongo.crc64 import Crc64, crc64

from .helpers import encode

TERMINATOR = b"\xff\xff\xff\xff"


def slow_crc64(data: bytes) -> int:
    """CRC-64/XZ bit by bit, straight from its definition (reflected ECMA-182 polynomial)."""
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xC96C5795D7870F42 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def test_crc64_matches_the_check_value_and_the_definition():
    assert crc64(b"123456789") == 0x995DC9BBDF1939FA
    assert crc64(b"") == 0
    data = bytes(range(256)) * 97 + b"tail"
    assert crc64(data) == slow_crc64(data)


def test_crc64_vectorised_path_matches_the_definition_fed_in_any_pieces():
    data = bytes((i * 7919) % 251 for i in range(50_003))  # long enough for the numpy path
    expected = slow_crc64(data)
    assert crc64(data) == expected
    for piece in (1, 4099, 20_000):
        crc = Crc64()
        for i in range(0, len(data), piece):
            crc.update(data[i : i + piece])
        assert crc.value == expected


def _header_doc(db: str, coll: str, eof: bool, crc: int) -> bytes:
    signed = crc - (1 << 64) if crc >= 1 << 63 else crc
    return bson.encode({"db": db, "collection": coll, "EOF": eof, "CRC": Int64(signed)})


def hand_built_archive(
    people: list[bytes], orgs: list[bytes], metadata: str = '{"indexes": []}', after_orgs_eof: bytes = b""
) -> bytes:
    """An archive assembled byte by byte from spec.md, independently of archive_writer."""
    out = struct.pack("<I", 0x8199E26D)
    out += bson.encode(
        {"concurrent_collections": 2, "version": "0.1", "server_version": "7.0.0", "tool_version": "100.9.0"}
    )
    for coll in ("people", "orgs"):
        out += bson.encode({"db": "apollo", "collection": coll, "metadata": metadata, "size": 0, "type": ""})
    out += TERMINATOR
    out += _header_doc("apollo", "people", False, 0) + b"".join(people[:2]) + TERMINATOR
    out += _header_doc("apollo", "orgs", False, 0) + b"".join(orgs) + TERMINATOR
    out += _header_doc("apollo", "people", False, 0) + b"".join(people[2:]) + TERMINATOR
    out += _header_doc("apollo", "orgs", True, slow_crc64(b"".join(orgs))) + TERMINATOR
    out += after_orgs_eof
    out += _header_doc("apollo", "people", True, slow_crc64(b"".join(people))) + TERMINATOR
    return out


PEOPLE = [encode({"_id": i, "name": f"p{i}"}) for i in range(5)]
ORGS = [encode({"_id": i, "org": f"o{i}", "n": [i] * i}) for i in range(3)]


def test_a_hand_built_archive_reads_collection_by_collection(tmp_path):
    path = tmp_path / "apollo.archive"
    path.write_bytes(hand_built_archive(PEOPLE, ORGS))
    backup = open_backup(path)
    assert backup.format == "archive" and backup.database == "apollo" and not backup.gzip
    assert [d.raw for d in backup.collections["people"].documents()] == PEOPLE
    assert [d.raw for d in backup.collections["orgs"].documents()] == ORGS
    first = next(backup.collections["orgs"].documents())
    assert path.read_bytes()[first.location.offset : first.location.offset + len(ORGS[0])] == ORGS[0]


def test_the_writer_produces_the_spec_layout(tmp_path):
    path = write_archive(
        tmp_path / "a.archive", [ArchiveCollectionSpec("apollo", "people", PEOPLE[:2])], segment_documents=10
    )
    data = path.read_bytes()
    assert data[:4] == bytes.fromhex("6de29981")
    header = bson.decode(data[4 : 4 + struct.unpack_from("<i", data, 4)[0]])
    assert header["version"] == "0.1"
    eof = bson.decode(data[-4 - len(_header_doc("apollo", "people", True, 0)) : -4])
    assert eof["EOF"] is True and eof["CRC"] & (2**64 - 1) == slow_crc64(b"".join(PEOPLE[:2]))
    assert data.endswith(TERMINATOR)


@pytest.mark.parametrize("gzip_compress", [False, True])
def test_interleaved_archives_round_trip_through_the_writer(tmp_path, gzip_compress):
    people = [encode({"_id": i, "x": "y" * (i % 50)}) for i in range(2500)]
    specs = [
        ArchiveCollectionSpec("apollo", "people", people),
        ArchiveCollectionSpec("apollo", "orgs", ORGS),
        ArchiveCollectionSpec("apollo", "empty", []),
        ArchiveCollectionSpec("apollo", "adults", [], {"options": {"viewOn": "people"}, "indexes": []}, "view"),
    ]
    name = "apollo.archive.gz" if gzip_compress else "apollo.archive"
    path = write_archive(tmp_path / name, specs, gzip_compress=gzip_compress, segment_documents=100)
    backup = open_backup(tmp_path)
    assert backup.gzip is gzip_compress
    assert sorted(backup.collections) == ["empty", "orgs", "people"]
    assert backup.views["adults"]["options"]["viewOn"] == "people"
    assert [d.raw for d in backup.collections["people"].documents()] == people
    assert list(backup.collections["empty"].documents()) == []
    assert backup.collections["people"].path == path


def _flip_inside_a_document(data: bytes, needle: bytes) -> bytes:
    at = data.index(needle)
    return data[:at] + bytes([needle[0] ^ 1]) + data[at + 1 :]


def test_crc_mismatch_raises(tmp_path):
    data = _flip_inside_a_document(hand_built_archive(PEOPLE, ORGS), b"p3")
    path = tmp_path / "a.archive"
    path.write_bytes(data)
    backup = open_backup(path)
    assert [d.raw for d in backup.collections["orgs"].documents()] == ORGS
    with pytest.raises(ArchiveChecksumError, match=r"CRC mismatch for namespace 'apollo.people'") as info:
        list(backup.collections["people"].documents())
    assert info.value.path == str(path) and info.value.offset is not None


def test_bad_magic_raises(tmp_path):
    path = tmp_path / "a.archive"
    path.write_bytes(b"\x00\x01\x02\x03" + hand_built_archive(PEOPLE, ORGS)[4:])
    with pytest.raises(BackupFormatError, match=r"not a mongodump archive") as info:
        open_backup(path)
    assert info.value.offset == 0


def test_truncated_archive_raises(tmp_path):
    data = hand_built_archive(PEOPLE, ORGS)
    path = tmp_path / "a.archive"
    path.write_bytes(data[: data.index(b"p3")])
    with pytest.raises(BackupFormatError, match=r"truncated|ended|unexpected end"):
        list(open_backup(path).collections["people"].documents())


def test_archive_without_eof_for_a_collection_raises(tmp_path):
    data = hand_built_archive(PEOPLE, ORGS)
    eof = _header_doc("apollo", "people", True, slow_crc64(b"".join(PEOPLE))) + TERMINATOR
    path = tmp_path / "a.archive"
    path.write_bytes(data[: -len(eof)])
    with pytest.raises(BackupFormatError, match=r"before the end of namespace 'apollo.people'"):
        list(open_backup(path).collections["people"].documents())


def test_data_after_eof_raises(tmp_path):
    data = hand_built_archive(
        PEOPLE, ORGS, after_orgs_eof=_header_doc("apollo", "orgs", False, 0) + ORGS[0] + TERMINATOR
    )
    path = tmp_path / "a.archive"
    path.write_bytes(data)
    with pytest.raises(BackupFormatError, match=r"after its EOF header"):
        list(open_backup(path).collections["people"].documents())


def test_corrupt_gzip_archive_raises(tmp_path):
    compressed = bytearray(gzip.compress(hand_built_archive(PEOPLE * 200, ORGS)))
    compressed[200:260] = b"\x00" * 60
    path = tmp_path / "a.archive.gz"
    path.write_bytes(bytes(compressed))
    with pytest.raises(BackupFormatError, match=r"bad gzip data|not a mongodump archive"):
        list(open_backup(path).collections["people"].documents())


def test_malformed_metadata_in_the_prelude_raises(tmp_path):
    data = hand_built_archive(PEOPLE, ORGS, metadata='{"indexes": 5}')
    path = tmp_path / "a.archive"
    path.write_bytes(data)
    with pytest.raises(MetadataError, match=r"'indexes' must be list"):
        open_backup(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.integers(1, 255))
def test_any_corrupted_byte_is_refused_or_leaves_the_documents_intact(tmp_path_factory, where, xor):
    blob = bytearray(hand_built_archive(PEOPLE, ORGS))
    blob[where % len(blob)] ^= xor
    path = tmp_path_factory.mktemp("flip") / "a.archive"
    path.write_bytes(bytes(blob))
    try:
        backup = open_backup(path)
        read = {name: [d.raw for d in c.documents()] for name, c in backup.collections.items()}
    except BackupFormatError:
        return
    assert all(docs == {"people": PEOPLE, "orgs": ORGS}[name] for name, docs in read.items())


def test_a_namespace_header_is_matched_by_database_and_collection_not_by_their_joined_text(tmp_path):
    """`a.b` + `c` and `a` + `b.c` are both `a.b.c`: a stray segment of the first is not read as the second's."""
    from apollo_assets.mongo.archive import MAGIC_BYTES

    ours, stray = encode({"_id": 1, "mine": True}), encode({"_id": 2, "planted": True})

    def header(db: str, collection: str, eof: bool = False, crc: int = 0) -> bytes:
        return bson.encode({"db": db, "collection": collection, "EOF": eof, "CRC": Int64(crc)})

    prelude = bson.encode({"version": "0.1", "server_version": "8.0.0", "tool_version": "100.10.0"})
    entry = bson.encode({"db": "a", "collection": "b.c", "metadata": "", "size": Int64(0), "type": ""})
    archive = tmp_path / "dump.archive"
    eof = header("a", "b.c", eof=True, crc=crc64(ours) - (1 << 64) * (crc64(ours) >= 1 << 63))
    segments = [header("a.b", "c") + stray, header("a", "b.c") + ours, eof]
    archive.write_bytes(MAGIC_BYTES + prelude + entry + TERMINATOR + b"".join(s + TERMINATOR for s in segments))
    (collection,) = open_backup(archive).collections.values()
    assert [d.raw for d in collection.documents()] == [ours]
