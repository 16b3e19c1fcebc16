"""Backup collection → snapshot dataset: read, convert faithfully, quarantine, publish atomically.

It is the ingest path without masking: the snapshot zone is restricted, raw values and quarantined documents (side
files of the partition version) may stay there.
"""

from __future__ import annotations

from pathlib import Path

from apollo_assets.errors import KnownError
from apollo_assets.ingest.collection import ingest_collection
from apollo_assets.ingest.pipeline import IngestOptions
from apollo_assets.ingest.quarantine import InPartition
from apollo_assets.ingest.summary import IngestSummary
from apollo_assets.lake.datasets import PartitionedDataset
from apollo_assets.mongo import open_backup
from apollo_assets.mongo.source import CollectionSource


class MissingCollectionError(KnownError, LookupError):
    """The backup has no such collection."""


def publish_snapshot(
    backup_dir: Path,
    collection: str,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    max_quarantine_share: float = 0.01,
    workers: int = 0,
) -> IngestSummary:
    backup = open_backup(backup_dir)
    source = backup.collections.get(collection)
    if source is None:
        raise MissingCollectionError(
            f"backup {backup_id} ({backup_dir}) has no collection {collection!r}; it has {sorted(backup.collections)}"
        )
    return publish_live_snapshot(source, backup_id, dataset, max_quarantine_share=max_quarantine_share, workers=workers)


def publish_live_snapshot(
    source: CollectionSource,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    max_quarantine_share: float = 0.01,
    workers: int = 0,
) -> IngestSummary:
    """A collection of a backup or of a live cluster (`MongoClusterResource.collection(name)`) → snapshot dataset.

    `workers=0`: by the collection's size (a small one is not worth a process pool), at most one per CPU."""
    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share)
    return ingest_collection(source, backup_id, dataset, quarantine=InPartition(), options=options)
