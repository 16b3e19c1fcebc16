"""What a snapshot tells about its collection: counts, quarantined documents, drift, fields kept as text."""

from __future__ import annotations

from dataclasses import dataclass, field

from apollo_assets.mongo.errors import QuarantineThresholdExceeded
from apollo_assets.mongo.source import DocumentLocation


@dataclass(frozen=True)
class QuarantinedDocument:
    location: DocumentLocation
    error: str
    raw: bytes


@dataclass
class SnapshotReport:
    collection: str
    backup_id: str
    documents: int = 0  # read from the source
    converted: int = 0  # rows in the batches (final once `batches()` is exhausted)
    quarantined: list[QuarantinedDocument] = field(default_factory=list)
    drift: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> {BSON type: count}
    as_text: dict[str, str] = field(default_factory=dict)  # field kept as Extended JSON/text -> why

    @property
    def complete(self) -> bool:
        """Every document read is either converted or quarantined."""
        return self.converted + len(self.quarantined) == self.documents


def check_quarantine_threshold(report: SnapshotReport, quarantine_threshold: float = 0.01) -> None:
    """Raise when more than `quarantine_threshold` (a share) of the documents were quarantined."""
    bad = len(report.quarantined)
    if bad and bad > quarantine_threshold * report.documents:
        raise QuarantineThresholdExceeded(report.collection, bad, report.documents, quarantine_threshold)
