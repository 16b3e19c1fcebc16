"""Framing of concatenated BSON: every document found with its offset; broken framing raises, naming file and offset."""

from __future__ import annotations

import gzip
import struct

import pytest

from apollo_assets.mongo import BackupFormatError

from .helpers import encode, source_of

DOCS = [{"_id": i, "name": f"person {i}", "tags": ["a"] * (i % 5)} for i in range(300)]


def _raw() -> list[bytes]:
    return [encode(d) for d in DOCS]


def test_documents_come_back_with_their_offsets(tmp_path):
    raws = _raw()
    path = tmp_path / "c.bson"
    path.write_bytes(b"".join(raws))
    found = list(source_of(path).documents())
    assert [d.raw for d in found] == raws
    offsets = [sum(map(len, raws[:i])) for i in range(len(raws))]
    assert [d.location.offset for d in found] == offsets
    assert found[3].location.source == str(path)


def test_gzip_data_reads_the_same(tmp_path):
    raws = _raw()
    path = tmp_path / "c.bson.gz"
    path.write_bytes(gzip.compress(b"".join(raws)))
    assert [d.raw for d in source_of(path).documents()] == raws


def test_empty_file_has_no_documents(tmp_path):
    path = tmp_path / "c.bson"
    path.write_bytes(b"")
    assert list(source_of(path).documents()) == []


def _error(tmp_path, data: bytes, name: str = "c.bson") -> BackupFormatError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BackupFormatError) as info:
        list(source_of(path).documents())
    assert str(path) in str(info.value)
    return info.value


def test_truncated_last_document_raises_with_its_offset(tmp_path):
    raws = _raw()
    data = b"".join(raws)
    err = _error(tmp_path, data[:-10])
    assert err.offset == len(data) - len(raws[-1])
    assert "truncated" in str(err)


def test_length_prefix_overrunning_the_file_raises(tmp_path):
    raws = _raw()
    bad = struct.pack("<i", 100_000) + raws[1][4:]
    err = _error(tmp_path, raws[0] + bad)
    assert err.offset == len(raws[0])
    assert "100000" in str(err)


def test_document_over_16_mib_raises(tmp_path):
    raws = _raw()
    err = _error(tmp_path, raws[0] + struct.pack("<i", 16 * 1024 * 1024 + 1) + b"\x00" * 64)
    assert err.offset == len(raws[0])
    assert "16 MiB" in str(err)


def test_length_prefix_below_minimum_raises(tmp_path):
    err = _error(tmp_path, _raw()[0] + struct.pack("<i", 3) + b"\x00" * 8)
    assert "invalid BSON length prefix 3" in str(err)


def test_document_not_ending_in_zero_byte_raises(tmp_path):
    raws = _raw()
    broken = raws[1][:-1] + b"\x01"
    err = _error(tmp_path, raws[0] + broken + raws[2])
    assert err.offset == len(raws[0])
    assert "0x00" in str(err)


def test_trailing_bytes_too_short_for_a_length_raise(tmp_path):
    raws = _raw()
    err = _error(tmp_path, b"".join(raws) + b"\x01\x02")
    assert err.offset == sum(map(len, raws))


def test_corrupt_gzip_raises(tmp_path):
    compressed = bytearray(gzip.compress(b"".join(_raw()) * 3))
    compressed[len(compressed) // 2 : len(compressed) // 2 + 64] = b"\xff" * 64
    err = _error(tmp_path, bytes(compressed), "c.bson.gz")
    assert "bad gzip data" in str(err)


def test_truncated_gzip_raises(tmp_path):
    compressed = gzip.compress(b"".join(_raw()))
    err = _error(tmp_path, compressed[: len(compressed) - 30], "c.bson.gz")
    assert "bad gzip data" in str(err)


def test_gz_name_without_gzip_magic_raises(tmp_path):
    err = _error(tmp_path, b"".join(_raw()), "c.bson.gz")
    assert "gzip magic" in str(err)
    assert err.offset == 0


@pytest.mark.parametrize("chunk_bytes", [7, 64, 1000])
def test_documents_cut_by_the_read_chunks_and_blocks_come_back_whole(tmp_path, chunk_bytes, monkeypatch):
    from apollo_assets.mongo import bson_framing
    from apollo_assets.mongo.byte_stream import ByteStream

    monkeypatch.setattr(bson_framing, "MAX_BLOCK_BYTES", 200)  # many blocks, as in a large file
    raws = _raw()
    path = tmp_path / "c.bson"
    path.write_bytes(b"".join(raws))
    with path.open("rb") as raw:
        blocks = list(bson_framing.iter_blocks(ByteStream(raw, str(path), chunk_bytes)))
    assert len(blocks) > 10
    found = [b.data[s:e] for b in blocks for s, e in zip(b.starts[:-1], b.starts[1:], strict=True)]
    assert found == raws
    offsets = [int(b.base + s) for b in blocks for s in b.starts[:-1]]
    assert offsets == [sum(map(len, raws[:i])) for i in range(len(raws))]
