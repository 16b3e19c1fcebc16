"""Reader for `mongodump --archive [--gzip]` (mongo-tools common/archive/spec.md).

    archive  = magic (0x8199e26d, little-endian), header document, collection metadata documents,
               terminator (0xFFFFFFFF), then blocks until the end of the stream
    block    = namespace header {db, collection, EOF: false, CRC: 0}, documents, terminator
             | EOF header {db, collection, EOF: true, CRC: int64}, terminator

Collections are interleaved, so reading one collection walks the archive from the start and skips
the others' segments. The EOF header's CRC (CRC-64/XZ over the collection's document bytes, in order)
is checked before the reader reports the collection complete.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bson

from apollo_assets.mongo.bson_framing import TERMINATOR, check_length, iter_blocks
from apollo_assets.mongo.byte_stream import ByteStream, open_maybe_gzip
from apollo_assets.mongo.collection_metadata import parse_metadata
from apollo_assets.mongo.crc64 import MASK, Crc64
from apollo_assets.mongo.errors import ArchiveChecksumError, BackupFormatError, MetadataError
from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.names import UntrustedNameError, collection_name, database_name, shown

MAGIC = 0x8199E26D
MAGIC_BYTES = struct.pack("<I", MAGIC)
_uint32 = struct.Struct("<I").unpack_from


@dataclass(frozen=True)
class ArchiveEntry:
    """One collection-metadata document of the prelude."""

    database: str
    collection: str
    metadata: dict[str, Any]
    size: int
    type: str

    @property
    def namespace(self) -> str:
        return f"{self.database}.{self.collection}"


OPLOG_NAMESPACE = ("", "oplog")  # where `mongodump --archive --oplog` puts the oplog


@dataclass
class ArchivePrelude:
    header: dict[str, Any]
    entries: list[ArchiveEntry] = field(default_factory=list)
    oplog: bool = False  # the archive holds the oplog of a `--oplog` dump

    def server_version(self) -> tuple[int, int]:
        """The dumped server's (major, minor), (0, 0) when the header does not say."""
        text = self.header.get("server_version")
        parts = text.split("-", 1)[0].split(".") if isinstance(text, str) else []
        try:
            return int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            return 0, 0


def open_archive(path: Path) -> ByteStream:
    raw, _ = open_maybe_gzip(path)
    return ByteStream(raw, str(path))


def read_document(stream: ByteStream, what: str) -> dict[str, Any] | None:
    """Read one framed BSON document; None at a terminator."""
    offset = stream.offset
    n = _uint32(stream.take(4), 0)[0]
    if n == TERMINATOR:
        return None
    check_length(n, stream, offset)
    body = stream.take(n - 4)
    if body[-1] != 0:
        raise BackupFormatError(f"{what} does not end with a 0x00 byte", stream.source, offset)
    try:
        return bson.decode(struct.pack("<I", n) + body)
    except bson.errors.BSONError as exc:
        raise BackupFormatError(f"unreadable {what}: {exc}", stream.source, offset) from exc


def read_prelude(stream: ByteStream) -> ArchivePrelude:
    if not stream.ensure(4) or stream.buf[stream.pos : stream.pos + 4] != MAGIC_BYTES:
        got = stream.buf[stream.pos : stream.pos + 4].hex()
        raise BackupFormatError(
            f"not a mongodump archive: magic bytes {got!r}, expected {MAGIC_BYTES.hex()!r}", stream.source, 0
        )
    stream.pos += 4
    header = read_document(stream, "archive header")
    if header is None or "version" not in header:
        raise BackupFormatError("archive header document is missing", stream.source, 4)
    prelude = ArchivePrelude(header)
    while True:
        offset = stream.offset
        doc = read_document(stream, "collection metadata")
        if doc is None:
            return prelude
        if (doc.get("db"), doc.get("collection")) == OPLOG_NAMESPACE:
            prelude.oplog = True
            continue
        prelude.entries.append(_entry(doc, f"{stream.source} at byte offset {offset}"))


def _entry(doc: dict[str, Any], where: str) -> ArchiveEntry:
    if not isinstance(doc.get("db"), str) or not isinstance(doc.get("collection"), str):
        raise BackupFormatError(f"collection metadata without db/collection names: {sorted(map(shown, doc))}", where)
    try:  # the names are free-form bytes in the archive: only those MongoDB could have written go further
        database = database_name(doc["db"])
        collection = collection_name(doc["collection"], database)
    except UntrustedNameError as exc:
        raise MetadataError(f"collection metadata with an impossible name: {exc}", where) from None
    text = doc.get("metadata") or '{"options": {}, "indexes": []}'
    metadata = parse_metadata(text, f"{where} ({shown(f'{database}.{collection}')})")
    return ArchiveEntry(database, collection, metadata, int(doc.get("size") or 0), doc.get("type") or "")


Namespace = tuple[str, str]  # (database, collection): a pair, since `a.b` + `c` and `a` + `b.c` are both `a.b.c`


def _namespace_header(doc: dict[str, Any], stream: ByteStream, offset: int) -> tuple[Namespace, bool, int]:
    if not isinstance(doc.get("collection"), str) or not doc["collection"] or not isinstance(doc.get("db"), str):
        raise BackupFormatError("namespace header without a collection name", stream.source, offset)
    if not isinstance(doc.get("EOF", False), bool) or not isinstance(doc.get("CRC", 0), int):
        raise BackupFormatError("namespace header with a malformed EOF or CRC field", stream.source, offset)
    return (doc["db"], doc["collection"]), bool(doc.get("EOF")), int(doc.get("CRC", 0)) & MASK


def _named(namespace: Namespace) -> str:
    return shown(".".join(namespace))


def iter_namespace(stream: ByteStream, namespace: Namespace) -> Iterator[DocumentBlock]:
    """Yield `namespace`'s documents (the stream positioned after the prelude), then check its CRC."""
    crc, closed = Crc64(), set()
    while True:
        offset = stream.offset
        if not stream.ensure(1):
            raise BackupFormatError(
                f"archive ended before the end of namespace {_named(namespace)}", stream.source, offset
            )
        doc = read_document(stream, "namespace header")
        if doc is None:
            raise BackupFormatError(
                "consecutive terminators (a block without a namespace header)", stream.source, offset
            )
        name, eof, expected = _namespace_header(doc, stream, offset)
        if name in closed:
            raise BackupFormatError(f"namespace {_named(name)} continues after its EOF header", stream.source, offset)
        if eof:
            closed.add(name)
            if read_document(stream, "terminator after EOF header") is not None:
                raise BackupFormatError(
                    f"EOF header of {_named(name)} is not followed by a terminator", stream.source, offset
                )
            if name == namespace:
                if crc.value != expected:
                    raise ArchiveChecksumError(
                        f"CRC mismatch for namespace {_named(name)}: the archive records "
                        f"{expected:#018x}, the documents hash to {crc.value:#018x}",
                        stream.source,
                        offset,
                    )
                return
            continue
        for block in iter_blocks(stream, until_terminator=True):
            if name == namespace:
                crc.update(memoryview(block.data)[block.starts[0] : block.starts[-1]])
                yield block


@dataclass(repr=False)
class ArchiveCollection(CollectionSource):
    name: str
    metadata: dict[str, Any]
    path: Path
    database: str

    def blocks(self) -> Iterator[DocumentBlock]:
        stream = open_archive(self.path)
        try:
            read_prelude(stream)
            yield from iter_namespace(stream, (self.database, self.name))
        finally:
            stream.close()


def read_archive_prelude(path: Path) -> ArchivePrelude:
    stream = open_archive(path)
    try:
        return read_prelude(stream)
    finally:
        stream.close()
