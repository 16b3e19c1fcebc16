"""Helpers for the mongo reader tests: writing BSON files, reading snapshots back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import bson

from apollo_assets.mongo import read_snapshot
from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.dump_dir import DumpCollection
from apollo_assets.mongo.roundtrip import canonical, to_document

METADATA = '{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}]}'


def encode(document: dict[str, Any]) -> bytes:
    """BSON of a document, UUIDs as binary subtype 4 (the standard representation)."""
    return bson.encode(document, codec_options=DECODE_OPTIONS)


def write_dump(
    directory: Path, collection: str, documents: Iterable[dict[str, Any] | bytes], metadata: str = METADATA
) -> Path:
    """A one-collection mongodump database folder; returns the .bson path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{collection}.bson"
    path.write_bytes(b"".join(d if isinstance(d, bytes) else encode(d) for d in documents))
    (directory / f"{collection}.metadata.json").write_text(metadata)
    return path


def source_of(path: Path, name: str = "things") -> DumpCollection:
    return DumpCollection(name, {"options": {}, "indexes": []}, path)


def snapshot_of(tmp_path: Path, documents: list[dict[str, Any] | bytes], rows_per_batch: int = 1000):
    path = write_dump(tmp_path / "db", "things", documents)
    return read_snapshot(source_of(path), "20261126T040000Z", rows_per_batch=rows_per_batch)


def rows_of(snapshot) -> list[dict[str, Any]]:
    return [row for batch in snapshot.batches() for row in batch.to_pylist()]


def assert_round_trip(snapshot, raws: list[bytes]) -> None:
    """Every row decodes back to its source document (in canonical form); order and count match."""
    rows = rows_of(snapshot)
    assert len(rows) == len(raws)
    for i, (row, raw) in enumerate(zip(rows, raws, strict=True)):
        expected = canonical(bson.decode(raw, DECODE_OPTIONS))
        assert canonical(to_document(row, snapshot.schema)) == expected, f"row {i} differs"
