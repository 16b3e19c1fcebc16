"""Ingest one collection of any source: cut or spool it into parts, then run the pipeline over them."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from apollo_assets.ingest.pipeline import IngestOptions, ingest_parts
from apollo_assets.ingest.pool import start_forkserver
from apollo_assets.ingest.quarantine import QuarantineSink
from apollo_assets.ingest.sources import collection_parts, spool_dir
from apollo_assets.ingest.summary import IngestSummary
from apollo_assets.ingest.work import Masking
from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.mongo.dump_dir import DumpCollection
from apollo_assets.mongo.source import CollectionSource

BYTES_PER_WORKER = 32 * 1024 * 1024  # below this a worker process costs more (start, imports) than it saves


def auto_workers(size: int) -> int:
    """Workers for `size` bytes of BSON: one per BYTES_PER_WORKER, at most one per CPU this process may use."""
    return max(1, min(os.process_cpu_count() or 1, size // BYTES_PER_WORKER))


def needs_workers(source: CollectionSource, workers: int) -> bool:
    """Whether worker processes will surely be needed (their server then starts before the collection is cut)."""
    if workers != 0:
        return workers > 1
    return isinstance(source, DumpCollection) and auto_workers(source.path.stat().st_size) > 1


def ingest_collection(
    source: CollectionSource,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    masking: Masking | None = None,
    quarantine: QuarantineSink | None = None,
    options: IngestOptions | None = None,
    spool_parent: Path | None = None,
) -> IngestSummary:
    """Convert `source` (masked when `masking` is given) into partition `backup_id` of `dataset`, atomically."""
    options = options or IngestOptions()
    if needs_workers(source, options.workers):
        start_forkserver()
    with spool_dir(spool_parent) as tmp:
        parts = collection_parts(source, options.workers or os.process_cpu_count() or 1, tmp)
        if not options.workers:
            options = replace(options, workers=auto_workers(sum(p.size for p in parts)))
        summary = ingest_parts(
            source.name, parts, backup_id, dataset, masking=masking, quarantine=quarantine, options=options
        )
    return replace(summary, provenance=source.provenance())
