"""A collection snapshot: BSON documents -> Arrow record batches, in two streaming passes.

Pass one decodes every document to learn each field's types (`schema.py`); pass two decodes them again
and converts them (`convert.py`). Only one chunk of documents is ever held as Python objects. Documents
that cannot be decoded or converted are quarantined with their location and raw bytes, never dropped.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import bson
import pyarrow as pa

from apollo_assets.mongo.codec import DECODE_OPTIONS
from apollo_assets.mongo.convert import build_batch
from apollo_assets.mongo.diagnose import describe_decode_error
from apollo_assets.mongo.errors import BackupFormatError
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.report import QuarantinedDocument, SnapshotReport
from apollo_assets.mongo.schema import Plan, arrow_schema, infer_plan
from apollo_assets.mongo.source import CollectionSource, DocumentBlock

CHUNK_DOCUMENTS = 4096


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Decoding makes hundreds of thousands of acyclic objects; the cyclic collector would walk them
    # over and over for nothing (about a fifth of the decode time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(source: CollectionSource) -> Iterator[tuple[DocumentBlock, int, int, bytes]]:
    for block in source.blocks():
        for lo in range(0, len(block), CHUNK_DOCUMENTS):
            hi = min(lo + CHUNK_DOCUMENTS, len(block))
            yield block, lo, hi, block.data[int(block.starts[lo]) : int(block.starts[hi])]


def _decode(
    block: DocumentBlock, lo: int, hi: int, data: bytes, skip: set[int]
) -> tuple[list[dict[str, Any]], list[int], list[QuarantinedDocument]]:
    """Decode a chunk: documents, their indices in the block, and the documents that do not decode."""
    try:
        return bson.decode_all(data, DECODE_OPTIONS), list(range(lo, hi)), []
    except Exception:  # pymongo raises several types for corrupt input; find the culprits one by one
        pass
    documents, indices, bad = [], [], []
    for i in range(lo, hi):
        raw = block.raw(i)
        try:
            documents.append(bson.decode(raw, DECODE_OPTIONS))
            indices.append(i)
        except Exception as exc:
            location = block.location(i)
            if location.offset not in skip:
                bad.append(QuarantinedDocument(location, describe_decode_error(exc, raw), raw))
    return documents, indices, bad


class Snapshot:
    """The schema is known on creation (after pass one); `batches()` runs pass two."""

    def __init__(self, source: CollectionSource, backup_id: str, rows_per_batch: int) -> None:
        if rows_per_batch < 1:
            raise ValueError("rows_per_batch must be at least 1")
        self.source, self.backup_id, self.rows_per_batch = source, backup_id, rows_per_batch
        self.report = SnapshotReport(source.name, backup_id)
        stats = FieldStats(is_root=True)
        checksum = 0
        for block, lo, hi, data in _chunks(source):
            checksum = zlib.crc32(data, checksum)
            with _gc_paused():
                documents, _, bad = _decode(block, lo, hi, data, set())
                stats.observe_documents(documents)
                del documents  # freed before the collector is back on, so it never walks them
            self.report.documents += hi - lo
            self.report.quarantined.extend(bad)
        self._checksum = checksum
        self._first_pass_quarantine = list(self.report.quarantined)
        self.plan: Plan
        self.plan, notes = infer_plan(stats)
        self.schema: pa.Schema = arrow_schema(self.plan)
        self.report.drift, self.report.as_text = notes.drift, notes.as_text

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Record batches of `rows_per_batch` rows (the last may be shorter), in storage order."""
        report = self.report
        report.converted, report.quarantined = 0, list(self._first_pass_quarantine)
        skip = {q.location.offset for q in report.quarantined}
        pending: list[pa.RecordBatch] = []
        count, checksum = 0, 0
        for block, lo, hi, data in _chunks(self.source):
            count += hi - lo
            checksum = zlib.crc32(data, checksum)
            with _gc_paused():
                documents, indices, bad = _decode(block, lo, hi, data, skip)
                report.quarantined.extend(bad)
                batch = self._convert(block, documents, indices)
                del documents  # freed before the collector is back on, so it never walks them
            report.converted += batch.num_rows
            pending.append(batch)
            while sum(b.num_rows for b in pending) >= self.rows_per_batch:
                out, pending = _take(pending, self.rows_per_batch)
                yield out
        if pending and sum(b.num_rows for b in pending):
            yield pa.concat_batches(pending)
        if count != report.documents or checksum != self._checksum:
            raise BackupFormatError(
                f"collection {self.source.name!r} changed between the two passes "
                f"({report.documents} then {count} documents)",
                repr(self.source),
            )

    def _convert(self, block: DocumentBlock, documents: list[dict[str, Any]], indices: list[int]) -> pa.RecordBatch:
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
                self.report.quarantined.append(
                    QuarantinedDocument(block.location(i), f"cannot convert: {type(exc).__name__}: {exc}", block.raw(i))
                )
        return build_batch(self.plan, self.schema, kept, self.backup_id)


def _take(pending: list[pa.RecordBatch], n: int) -> tuple[pa.RecordBatch, list[pa.RecordBatch]]:
    out: list[pa.RecordBatch] = []
    rest = list(pending)
    while n:
        head = rest[0]
        if head.num_rows <= n:
            out.append(rest.pop(0))
            n -= head.num_rows
        else:
            out.append(head.slice(0, n))
            rest[0] = head.slice(n)
            n = 0
    return (out[0] if len(out) == 1 else pa.concat_batches(out)), rest


def read_snapshot(source: CollectionSource, backup_id: str, rows_per_batch: int = 50_000) -> Snapshot:
    """Run the first pass over `source` and return the snapshot, ready to stream its batches."""
    return Snapshot(source, backup_id, rows_per_batch)
