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


def check_quarantine_share(
    collection: str, backup_id: str, documents: int, quarantined: list[QuarantinedDocument], limit: float
) -> None:
    """Fail when more than `limit` (a share) of the `documents` read were quarantined. The error names the first bad
    document's place and the kind of its error, not the error's text: a converter's message may quote the value it
    could not take (the texts are in the quarantine's JSON lines, in the restricted zone, when the share is
    allowed)."""
    if len(quarantined) / max(documents, 1) > limit:
        first = quarantined[0]
        kind = first.error.partition(":")[0][:60]
        where = f"{first.location} ({kind})"
        raise QuarantineThresholdExceeded(collection, backup_id, len(quarantined), documents, limit, first=where)
