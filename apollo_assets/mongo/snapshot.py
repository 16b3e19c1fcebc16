"""A collection snapshot: BSON documents -> Arrow record batches, in two streaming passes.

Pass one decodes every document to learn each field's types (`schema.py`); pass two decodes them again
and converts them (`convert.py`); both are in `passes.py`. Only one chunk of documents is ever held as
Python objects. Documents that cannot be decoded or converted are quarantined with their location and raw
bytes, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from apollo_assets.mongo.passes import Converter, convert_source, scan_source
from apollo_assets.mongo.report import SnapshotReport
from apollo_assets.mongo.schema import Plan, arrow_schema, infer_plan
from apollo_assets.mongo.source import CollectionSource


class Snapshot:
    """The schema is known on creation (after pass one); `batches()` runs pass two."""

    def __init__(self, source: CollectionSource, backup_id: str, rows_per_batch: int) -> None:
        if rows_per_batch < 1:
            raise ValueError("rows_per_batch must be at least 1")
        self.source, self.backup_id, self.rows_per_batch = source, backup_id, rows_per_batch
        self.report = SnapshotReport(source.name, backup_id)
        self._scan = scan_source(source)
        self.report.documents = self._scan.documents
        self.report.quarantined = list(self._scan.quarantined)
        self.plan: Plan
        self.plan, notes = infer_plan(self._scan.stats)
        self.schema: pa.Schema = arrow_schema(self.plan)
        self.report.drift, self.report.as_text = notes.drift, notes.as_text

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Record batches of `rows_per_batch` rows (the last may be shorter), in storage order."""
        report = self.report
        report.converted, report.quarantined = 0, []
        converter = Converter(self.plan, self.schema, self.backup_id)
        yield from rebatch(
            self._counted(convert_source(self.source, converter, self._scan, report.quarantined)), self.rows_per_batch
        )

    def _counted(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            self.report.converted += batch.num_rows
            yield batch


def rebatch(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """The same rows in batches of exactly `rows` rows (the last may be shorter; empty batches are dropped)."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        pending.append(batch)
        held += batch.num_rows
        while held >= rows:
            out, pending = _take(pending, rows)
            held -= rows
            yield out
    if held:
        yield pa.concat_batches(pending)


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
