"""Writes `mongodump --archive` files by the spec, so tests and benchmarks can make archives without mongodump.

Segments of the collections are interleaved round-robin, as mongodump does when it dumps collections in
parallel, and every collection ends with an EOF header carrying the CRC-64 of its documents.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import bson
from bson import json_util
from bson.int64 import Int64

from apollo_assets.mongo.archive import MAGIC_BYTES
from apollo_assets.mongo.crc64 import Crc64

TERMINATOR_BYTES = b"\xff\xff\xff\xff"


@dataclass
class ArchiveCollectionSpec:
    database: str
    collection: str
    documents: Iterable[bytes]  # raw BSON, one document per item
    metadata: dict[str, Any] = field(default_factory=lambda: {"options": {}, "indexes": []})
    type: str = ""  # "view" or "timeseries" entries carry no documents
    in_prelude: bool = True  # False: data without a prelude entry (a time-series collection's buckets)


def _signed(crc: int) -> Int64:
    # BSON has no unsigned int64: Go writes the CRC's bits as an int64.
    return Int64(crc - (1 << 64) if crc >= 1 << 63 else crc)


def _namespace_header(spec: ArchiveCollectionSpec, eof: bool, crc: int) -> bytes:
    return bson.encode({"db": spec.database, "collection": spec.collection, "EOF": eof, "CRC": _signed(crc)})


def _segments(specs: list[ArchiveCollectionSpec], segment_documents: int) -> Iterator[bytes]:
    iterators = {id(s): iter(s.documents) for s in specs if not s.type}
    crcs = {key: Crc64() for key in iterators}
    live = [s for s in specs if not s.type]
    while live:
        for spec in list(live):
            batch = [doc for _, doc in zip(range(segment_documents), iterators[id(spec)], strict=False)]
            if batch:
                data = b"".join(batch)
                crcs[id(spec)].update(data)
                yield _namespace_header(spec, False, 0) + data + TERMINATOR_BYTES
            if len(batch) < segment_documents:
                live.remove(spec)
                yield _namespace_header(spec, True, crcs[id(spec)].value) + TERMINATOR_BYTES


def write_archive_stream(
    out: BinaryIO,
    collections: Iterable[ArchiveCollectionSpec],
    *,
    segment_documents: int = 1000,
    server_version: str = "8.0.0",
    tool_version: str = "100.10.0",
) -> None:
    specs = list(collections)
    out.write(MAGIC_BYTES)
    out.write(
        bson.encode(
            {
                "concurrent_collections": len(specs) or 1,
                "version": "0.1",
                "server_version": server_version,
                "tool_version": tool_version,
            }
        )
    )
    for spec in (s for s in specs if s.in_prelude):
        metadata = json_util.dumps(spec.metadata, json_options=json_util.CANONICAL_JSON_OPTIONS)
        out.write(
            bson.encode(
                {
                    "db": spec.database,
                    "collection": spec.collection,
                    "metadata": metadata,
                    "size": Int64(0),
                    "type": spec.type,
                }
            )
        )
    out.write(TERMINATOR_BYTES)
    for segment in _segments(specs, segment_documents):
        out.write(segment)


def write_archive(
    path: Path,
    collections: Iterable[ArchiveCollectionSpec],
    *,
    gzip_compress: bool = False,
    segment_documents: int = 1000,
    server_version: str = "8.0.0",
) -> Path:
    """Write an archive to `path` (gzip-compressed like `--archive --gzip` when asked)."""
    opener = gzip.open if gzip_compress else open
    with opener(path, "wb") as out:
        write_archive_stream(
            out,  # type: ignore[arg-type]
            collections,
            segment_documents=segment_documents,
            server_version=server_version,
        )
    return path
