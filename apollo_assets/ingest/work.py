"""What one worker does with its group of parts: scan it (pass one), then convert, mask and write it (pass two).

Masked output is also scanned for PII patterns as it is written, with the batches in hand: the parent merges the
groups' reports and publishes nothing if any found personal data. (Comparing with the source's own personal values,
as the lake's check also does, would cost more than the masking: the masker's output for those fields is
pseudonyms by construction, and what a policy keeps is what the patterns look at.)

The functions are top-level so that a process pool can run them; the parent runs group 0 itself, same code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa

from apollo_assets.ingest.parts import Part, PartsSource
from apollo_assets.ingest.progress import reporter
from apollo_assets.masking import Masker, MaskingKey, MaskingPolicy, scan_for_leaks
from apollo_assets.masking.leaks.scan import LeakReport, merge_reports
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.onepass import OnePass
from apollo_assets.mongo.passes import Converter, ScanResult, convert_source, scan_source
from apollo_assets.mongo.report import QuarantinedDocument
from apollo_assets.mongo.schema import Plan
from apollo_assets.mongo.snapshot import rebatch

ROWS_PER_BATCH = 65_536  # one Parquet row group: big enough to compress well, ~50 MB of 800-byte documents


@dataclass(frozen=True)
class Group:
    collection: str
    index: int  # position in the collection: row order, file names and progress slot follow it
    parts: list[Part]

    def source(self) -> PartsSource:
        return PartsSource(self.collection, self.parts)


@dataclass(frozen=True)
class Masking:
    policy: MaskingPolicy
    key: MaskingKey


class BatchSink(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


@dataclass
class GroupOutput:
    rows: int = 0
    quarantined: list[QuarantinedDocument] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: {"convert": 0.0, "mask": 0.0, "write": 0.0})
    leaks: LeakReport | None = None  # masked output only: what the leak scan found in what was written


def scan_group(group: Group) -> ScanResult:
    return scan_source(group.source(), progress=reporter(group.index))


def onepass_group(
    group: Group,
    pilot: FieldStats,
    plan: Plan,
    schema: pa.Schema,
    backup_id: str,
    masking: Masking | None,
    sink: BatchSink,
) -> tuple[GroupOutput, OnePass]:
    """Both passes over the group in one read, under the pilot's plan, while it holds (see `mongo.onepass`)."""
    reader = OnePass(group.source(), Converter(plan, schema, backup_id), pilot)
    out = write_batches(reader.batches(reporter(group.index)), schema, masking, sink)
    out.quarantined = [*reader.scan.quarantined, *reader.converted_quarantine]
    return out, reader


def run_group(
    group: Group,
    scanned: ScanResult,
    plan: Plan,
    schema: pa.Schema,
    backup_id: str,
    masking: Masking | None,
    sink: BatchSink,
) -> GroupOutput:
    """Pass two over the group into `sink`; `scanned` is this group's pass one, `plan` the collection's."""
    quarantined: list[QuarantinedDocument] = []
    converted = convert_source(
        group.source(), Converter(plan, schema, backup_id), scanned, quarantined, reporter(group.index)
    )
    out = write_batches(converted, schema, masking, sink)
    out.quarantined = quarantined
    return out


def write_batches(
    converted: Iterator[pa.RecordBatch], schema: pa.Schema, masking: Masking | None, sink: BatchSink
) -> GroupOutput:
    """Rebatch, mask and write; the time of each stage goes into the output."""
    masker = Masker(masking.policy, masking.key, schema) if masking else None
    out = GroupOutput()
    reports: list[LeakReport] = []
    batches = iter(rebatch(converted, ROWS_PER_BATCH))
    while True:
        clock = time.perf_counter()
        batch = next(batches, None)
        now = time.perf_counter()
        out.seconds["convert"] += now - clock
        if batch is None:
            if masking is not None:
                out.leaks = merge_reports(reports)
            return out
        if masker is not None and masking is not None:
            batch = masker.mask(batch)
            out.seconds["mask"] += time.perf_counter() - now
            now = time.perf_counter()
            reports.append(scan_for_leaks(batch, masking.policy))
            out.seconds["scan"] = out.seconds.get("scan", 0.0) + time.perf_counter() - now
            now = time.perf_counter()
        sink.write(batch)
        out.rows += batch.num_rows
        out.seconds["write"] += time.perf_counter() - now
