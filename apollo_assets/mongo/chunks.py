"""Chunks of a collection: up to CHUNK_DOCUMENTS documents cut from one block, decoded together.

Only one chunk is ever held as Python objects; a chunk that does not decode as a whole is decoded document
by document, so that the culprits can be quarantined alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import bson

from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.diagnose import describe_decode_error
from apollo_assets.mongo.report import QuarantinedDocument
from apollo_assets.mongo.source import CollectionSource, DocumentBlock

CHUNK_DOCUMENTS = 4096


class Chunk(NamedTuple):
    block: DocumentBlock
    lo: int  # documents lo..hi-1 of the block
    hi: int
    data: bytes

    def __len__(self) -> int:
        return self.hi - self.lo


@contextmanager
def gc_paused() -> Iterator[None]:
    # Decoding makes hundreds of thousands of acyclic objects; the cyclic collector would walk them
    # over and over for nothing (about a fifth of the decode time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def iter_chunks(source: CollectionSource) -> Iterator[Chunk]:
    for block in source.blocks():
        for lo in range(0, len(block), CHUNK_DOCUMENTS):
            hi = min(lo + CHUNK_DOCUMENTS, len(block))
            yield Chunk(block, lo, hi, block.data[int(block.starts[lo]) : int(block.starts[hi])])


def decode_chunk(chunk: Chunk, skip: set[int]) -> tuple[list[dict[str, Any]], list[int], list[QuarantinedDocument]]:
    """Documents, their indices in the block, and the documents that do not decode (except those in `skip`)."""
    try:
        return bson.decode_all(chunk.data, DECODE_OPTIONS), list(range(chunk.lo, chunk.hi)), []
    except Exception:  # pymongo raises several types for corrupt input; find the culprits one by one
        pass
    block = chunk.block
    documents, indices, bad = [], [], []
    for i in range(chunk.lo, chunk.hi):
        raw = block.raw(i)
        try:
            documents.append(bson.decode(raw, DECODE_OPTIONS))
            indices.append(i)
        except Exception as exc:
            location = block.location(i)
            if location.offset not in skip:
                bad.append(QuarantinedDocument(location, describe_decode_error(exc, raw), raw))
    return documents, indices, bad
