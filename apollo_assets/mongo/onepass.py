"""Both passes in one read, while the plan holds: the ingest path's way of reading a collection once.

The plan is made before the read from a pilot (the first chunk of each part). Each chunk is then converted under
that plan and counted in the same walk (`fast.fused_convert`). As long as the plan made from everything counted
so far (pilot included) is still the pilot's, the batches are right; once it is not (a field appears, a type
widens, keys turn out dynamic), conversion stops and the rest is only counted. The caller compares the pilot's
plan with the final one, made from every part's counts, and runs a classic second pass when they differ.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from apollo_assets.mongo.chunks import Chunk, decode_chunk, gc_paused, iter_chunks
from apollo_assets.mongo.fast import fused_convert
from apollo_assets.mongo.field_stats import FieldStats
from apollo_assets.mongo.passes import Converter, Progress, ScanResult, fast_stats, observe_chunk
from apollo_assets.mongo.report import QuarantinedDocument
from apollo_assets.mongo.schema import Plan, arrow_schema, infer_plan
from apollo_assets.mongo.source import CollectionSource


def pilot_stats(source: CollectionSource) -> FieldStats:
    """What the first chunk of `source` holds (documents that do not decode are left out, as pass one does)."""
    chunk = next(iter_chunks(source), None)
    if chunk is None:
        return FieldStats(is_root=True)
    return fast_stats(chunk) or observe_chunk(chunk, ScanResult())


def plan_of(stats: FieldStats) -> tuple[Plan, pa.Schema]:
    plan, _ = infer_plan(stats)
    return plan, arrow_schema(plan)


@dataclass
class OnePass:
    source: CollectionSource
    converter: Converter  # under the pilot's plan
    pilot: FieldStats
    scan: ScanResult = field(default_factory=ScanResult)  # quarantined: documents that do not decode
    converted_quarantine: list[QuarantinedDocument] = field(default_factory=list)  # those the plan cannot take
    fits: bool = True

    def batches(self, progress: Progress = None) -> Iterator[pa.RecordBatch]:
        check = copy.deepcopy(self.pilot)
        for chunk in iter_chunks(self.source):
            if progress is not None:
                progress(2 * len(chunk.data))  # both passes' worth
            self.scan.checksum = zlib.crc32(chunk.data, self.scan.checksum)
            self.scan.documents += len(chunk)
            if not self.fits:
                self.scan.stats.merge(fast_stats(chunk) or observe_chunk(chunk, self.scan))
                continue
            batch, stats = self._both(chunk)
            self.scan.stats.merge(stats)
            check.merge(stats)
            if not plan_of(check)[1].equals(self.converter.schema, check_metadata=True):
                self.fits = False
                continue
            yield batch

    def _both(self, chunk: Chunk) -> tuple[pa.RecordBatch, FieldStats]:
        c = self.converter
        try:
            batch, stats = fused_convert(chunk, c.plan, c.schema, c.backup_id)
            self.scan.fast_chunks += 1
            return batch, stats
        except Exception:  # Unsupported, or anything unforeseen: count and convert this chunk the other ways
            pass
        stats = fast_stats(chunk)
        if stats is not None:
            return c.convert(chunk, set(), self.converted_quarantine), stats
        with gc_paused():
            documents, indices, bad = decode_chunk(chunk, set())
            self.scan.quarantined.extend(bad)
            stats = FieldStats(is_root=True)
            stats.observe_documents(documents)
            batch = c.build_documents(chunk, documents, indices, self.converted_quarantine)
            del documents
        return batch, stats
