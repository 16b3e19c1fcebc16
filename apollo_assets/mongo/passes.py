"""The two passes over a collection (or over one part of it), usable on their own by parallel workers.

`scan_source` learns each field's types (pass one); `convert_source` converts with the plan made from the
scans of every part (pass two) and checks that the part is the one that was scanned.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from apollo_assets.mongo.chunks import Chunk, decode_chunk, gc_paused, iter_chunks
from apollo_assets.mongo.convert import build_batch
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.report import QuarantinedDocument
from apollo_assets.mongo.schema import Plan
from apollo_assets.mongo.source import CollectionSource


@dataclass
class ScanResult:
    """What pass one learnt about a source: its types, its size, and a checksum of its bytes."""

    stats: FieldStats = field(default_factory=lambda: FieldStats(is_root=True))
    documents: int = 0
    checksum: int = 0
    quarantined: list[QuarantinedDocument] = field(default_factory=list)
    fast_chunks: int = 0  # chunks the vectorised path read (the others were decoded)


Progress = Callable[[int], None] | None  # told the bytes of each chunk read


def fast_stats(chunk: Chunk) -> FieldStats | None:
    from apollo_assets.mongo.fast import fast_observe  # see `Converter.convert`

    try:
        return fast_observe(chunk)
    except Exception:  # Unsupported, or anything unforeseen: the decoding path is the authority
        return None


def scan_source(source: CollectionSource, progress: Progress = None, *, fast: bool = True) -> ScanResult:
    result = ScanResult()
    for chunk in iter_chunks(source):
        if progress is not None:
            progress(len(chunk.data))
        result.checksum = zlib.crc32(chunk.data, result.checksum)
        result.documents += len(chunk)
        stats = fast_stats(chunk) if fast else None
        if stats is not None:
            result.fast_chunks += 1
        result.stats.merge(stats or observe_chunk(chunk, result))
    return result


def observe_chunk(chunk: Chunk, result: ScanResult) -> FieldStats:
    """A chunk's stats by decoding it; documents that do not decode go to `result.quarantined`."""
    stats = FieldStats(is_root=True)
    with gc_paused():
        documents, _, bad = decode_chunk(chunk, set())
        stats.observe_documents(documents)
        del documents  # freed before the collector is back on, so it never walks them
    result.quarantined.extend(bad)
    return stats


@dataclass
class Converter:
    """Pass two for one plan: chunk -> record batch, quarantining the documents the plan cannot take."""

    plan: Plan
    schema: pa.Schema
    backup_id: str
    fast: bool = True
    fast_chunks: int = 0

    def convert(self, chunk: Chunk, skip: set[int], quarantined: list[QuarantinedDocument]) -> pa.RecordBatch:
        if self.fast and not _holds_any(chunk, skip):
            # The compiled reader (numba, about a second to import) is imported by the processes that read, not by
            # the definitions, which import this module through the snapshot assets.
            from apollo_assets.mongo.fast import fast_convert

            try:
                batch = fast_convert(chunk, self.plan, self.schema, self.backup_id)
                self.fast_chunks += 1
                return batch
            except Exception:  # Unsupported, or anything unforeseen: the decoding path is the authority
                pass
        with gc_paused():
            documents, indices, bad = decode_chunk(chunk, skip)
            quarantined.extend(bad)
            batch = self.build_documents(chunk, documents, indices, quarantined)
            del documents  # freed before the collector is back on, so it never walks them
        return batch

    def build_documents(
        self, chunk: Chunk, documents: list[dict[str, Any]], indices: list[int], quarantined: list[QuarantinedDocument]
    ) -> pa.RecordBatch:
        try:
            return build_batch(self.plan, self.schema, documents, self.backup_id)
        except Exception:  # a value the plan cannot take; find which documents, quarantine them alone
            pass
        kept = []
        for document, i in zip(documents, indices, strict=True):
            try:
                build_batch(self.plan, self.schema, [document], self.backup_id)
                kept.append(document)
            except Exception as exc:
                error = f"cannot convert: {type(exc).__name__}: {exc}"
                quarantined.append(QuarantinedDocument(chunk.block.location(i), error, chunk.block.raw(i)))
        return build_batch(self.plan, self.schema, kept, self.backup_id)


def _holds_any(chunk: Chunk, offsets: set[int]) -> bool:
    """Whether a document of `chunk` starts at one of `offsets` (pass one could not decode it)."""
    if not offsets:
        return False
    base, starts = chunk.block.base, chunk.block.starts
    return any(base + int(starts[chunk.lo]) <= o < base + int(starts[chunk.hi]) for o in offsets)


def convert_source(
    source: CollectionSource,
    converter: Converter,
    scanned: ScanResult,
    quarantined: list[QuarantinedDocument],
    progress: Progress = None,
) -> Iterator[pa.RecordBatch]:
    """One batch per chunk; raises at the end when the source is not what `scanned` saw."""
    skip = {q.location.offset for q in scanned.quarantined}
    quarantined.extend(scanned.quarantined)
    count, checksum = 0, 0
    for chunk in iter_chunks(source):
        count += len(chunk)
        if progress is not None:
            progress(len(chunk.data))
        checksum = zlib.crc32(chunk.data, checksum)
        yield converter.convert(chunk, skip, quarantined)
    if count != scanned.documents or checksum != scanned.checksum:
        raise BackupFormatError(
            f"collection {source.name!r} changed between the two passes ({scanned.documents} then {count} documents)",
            repr(source),
        )
