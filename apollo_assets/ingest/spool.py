"""Spooling: a collection that cannot be cut in place (gzip, an archive, a live cluster) is copied once, as
plain BSON, to a local temporary file, which is then cut into parts like a `.bson` file.

It costs one write of the collection's bytes to local disk, and it pays for itself: both passes then read a
plain file (instead of decompressing twice, or walking a whole archive twice, or querying a cluster twice),
and they see the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.names import path_segment


def write_blocks(blocks: Iterable[DocumentBlock], path: Path) -> tuple[int, int]:
    """Append the documents of `blocks` to `path`; returns (documents, bytes)."""
    documents = size = 0
    with path.open("ab") as out:
        for block in blocks:
            lo, hi = int(block.starts[0]), int(block.starts[-1])
            out.write(memoryview(block.data)[lo:hi])
            documents += len(block)
            size += hi - lo
    return documents, size


def spool_source(source: CollectionSource, directory: Path) -> Path:
    """The documents of `source`, as a plain BSON file under `directory` (framing checked on the way)."""
    path = directory / f"{path_segment(source.name)}.bson"  # a collection may be named `a/../../b`
    path.unlink(missing_ok=True)
    path.touch()
    write_blocks(source.blocks(), path)
    return path
