"""Backup collection → snapshot dataset: read, convert faithfully, quarantine, publish atomically.

It is the ingest path (`apollo_assets.ingest`) without masking: the snapshot zone is restricted, raw values and
quarantined documents (side files of the partition version) may stay there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from apollo_assets.errors import KnownError
from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset
from apollo_assets.mongo.source import CollectionSource

if TYPE_CHECKING:
    from apollo_assets.ingest.summary import IngestSummary


class MissingCollectionError(KnownError, LookupError):
    """The backup has no such collection."""


@dataclass(frozen=True)
class SnapshotSummary:
    collection: str
    backup_id: str
    documents: int
    quarantined: int
    schema: pa.Schema
    commit: CommitInfo
    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 1
    passes: int = 1
    provenance: dict[str, Any] = field(default_factory=dict)  # e.g. unpacked from buckets, oplog entries replayed


def publish_snapshot(
    backup_dir: Path,
    collection: str,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    max_quarantine_share: float = 0.01,
    workers: int = 0,
) -> SnapshotSummary:
    from apollo_assets.ingest import IngestOptions, InPartition, ingest_collection
    from apollo_assets.mongo import open_backup

    backup = open_backup(backup_dir)
    source = backup.collections.get(collection)
    if source is None:
        raise MissingCollectionError(
            f"backup {backup_id} ({backup_dir}) has no collection {collection!r}; it has {sorted(backup.collections)}"
        )
    # workers=0: by the collection's size (a small one is not worth a process pool), at most one per CPU.
    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share)
    summary = ingest_collection(source, backup_id, dataset, quarantine=InPartition(), options=options)
    return _summary(summary, source.provenance())


def publish_live_snapshot(
    source: CollectionSource,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    max_quarantine_share: float = 0.01,
    workers: int = 0,
) -> SnapshotSummary:
    """A collection of a live cluster (`MongoClusterResource.collection(name)`) → snapshot dataset."""
    from apollo_assets.ingest import IngestOptions, InPartition, ingest_collection

    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share)
    return _summary(ingest_collection(source, backup_id, dataset, quarantine=InPartition(), options=options))


def _summary(summary: IngestSummary, provenance: dict[str, Any] | None = None) -> SnapshotSummary:
    return SnapshotSummary(
        collection=summary.collection,
        backup_id=summary.backup_id,
        documents=summary.documents,
        quarantined=summary.quarantined,
        schema=summary.schema,
        commit=summary.commit,
        drift=summary.drift,
        seconds=summary.seconds,
        workers=summary.workers,
        passes=summary.passes,
        provenance=provenance or {},
    )


def __getattr__(name: str) -> object:
    # The threshold error now lives with the ingest path; this name is kept for existing imports.
    if name == "QuarantineThresholdError":
        from apollo_assets.ingest.quarantine import QuarantineThresholdError

        return QuarantineThresholdError
    raise AttributeError(name)
