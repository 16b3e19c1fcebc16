"""Backup collection → snapshot dataset: read, convert faithfully, quarantine, publish atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from apollo_assets.lake.datasets import CommitInfo, PartitionedDataset


class MissingCollectionError(LookupError):
    """The backup has no such collection."""


class QuarantineThresholdError(RuntimeError):
    """Too large a share of a collection's documents could not be converted."""


@dataclass(frozen=True)
class SnapshotSummary:
    collection: str
    backup_id: str
    documents: int
    quarantined: int
    schema: pa.Schema
    commit: CommitInfo
    drift: dict[str, dict[str, int]] = field(default_factory=dict)


def publish_snapshot(
    backup_dir: Path,
    collection: str,
    backup_id: str,
    dataset: PartitionedDataset,
    *,
    max_quarantine_share: float = 0.01,
) -> SnapshotSummary:
    from apollo_assets.mongo import open_backup, read_snapshot

    backup = open_backup(backup_dir)
    source = backup.collections.get(collection)
    if source is None:
        raise MissingCollectionError(
            f"backup {backup_id} ({backup_dir}) has no collection {collection!r}; it has {sorted(backup.collections)}"
        )
    snapshot = read_snapshot(source, backup_id)
    with dataset.writer(backup_id, snapshot.schema) as writer:
        for batch in snapshot.batches():
            writer.write(batch)
        report = snapshot.report
        if report.quarantined:
            writer.add_file("quarantine.bson", b"".join(q.raw for q in report.quarantined))
            lines = [json.dumps({"location": q.location, "error": q.error}) for q in report.quarantined]
            writer.add_file("quarantine.jsonl", "\n".join(lines).encode())
        share = len(report.quarantined) / max(report.documents, 1)
        if share > max_quarantine_share:
            raise QuarantineThresholdError(
                f"{collection} in backup {backup_id}: {len(report.quarantined)} of {report.documents} documents "
                f"could not be converted ({share:.2%} > {max_quarantine_share:.2%}); first: "
                f"{report.quarantined[0].location}: {report.quarantined[0].error}"
            )
    assert writer.info is not None
    return SnapshotSummary(
        collection=collection,
        backup_id=backup_id,
        documents=report.documents,
        quarantined=len(report.quarantined),
        schema=snapshot.schema,
        commit=writer.info,
        drift=dict(report.drift),
    )
