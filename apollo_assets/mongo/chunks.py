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
from apollo_assets.personal_data import personal_kind

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
    """Documents, their indices in the block, and the documents that do not decode or whose top-level keys are
    personal data (except those in `skip`)."""
    try:
        documents = bson.decode_all(chunk.data, DECODE_OPTIONS)
    except Exception:  # pymongo raises several types for corrupt input; find the culprits one by one
        return _decode_one_by_one(chunk, skip)
    return _without_personal_keys(chunk, documents, list(range(chunk.lo, chunk.hi)), [], skip)


def _without_personal_keys(
    chunk: Chunk, documents: list[dict[str, Any]], indices: list[int], bad: list[QuarantinedDocument], skip: set[int]
) -> tuple[list[dict[str, Any]], list[int], list[QuarantinedDocument]]:
    """Top-level keys become columns: a document with a key that is personal data (an e-mail address as a field
    name) is quarantined, with an error that does not repeat the key."""
    if not any(map(personal_kind, set().union(*documents))):
        return documents, indices, bad
    kept, kept_indices = [], []
    for document, i in zip(documents, indices, strict=True):
        kind = next(filter(None, map(personal_kind, document)), None)
        if kind is None:
            kept.append(document)
            kept_indices.append(i)
        elif (location := chunk.block.location(i)).offset not in skip:
            error = f"a top-level field name looks like personal data ({kind}); it would become a column name"
            bad.append(QuarantinedDocument(location, error, chunk.block.raw(i)))
    return kept, kept_indices, bad


def _decode_one_by_one(
    chunk: Chunk, skip: set[int]
) -> tuple[list[dict[str, Any]], list[int], list[QuarantinedDocument]]:
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
    return _without_personal_keys(chunk, documents, indices, bad, skip)
