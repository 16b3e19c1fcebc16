"""What an ingest tells about one collection: the CLI prints it as JSON, the assets put it in their metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from apollo_assets.lake.datasets import CommitInfo


@dataclass(frozen=True)
class IngestSummary:
    collection: str
    backup_id: str
    documents: int  # read from the source
    rows: int  # written to the dataset
    quarantined: int
    bytes: int  # Parquet bytes written
    seconds: float
    workers: int
    schema: pa.Schema
    commit: CommitInfo
    path: str
    quarantine_path: str = ""
    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    masked_unlisted: dict[str, str] = field(default_factory=dict)  # fields no policy named -> action (fail-closed)
    policy: str = ""  # the policy file, "default (fail-closed)", or "" when nothing was masked
    stage_seconds: dict[str, float] = field(default_factory=dict)  # convert, mask, write (summed over workers)
    passes: int = 1  # 2 when the pilot's plan was not the collection's and a second pass converted it
    provenance: dict[str, Any] = field(default_factory=dict)  # the source's: buckets unpacked, oplog entries replayed

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "collection": self.collection,
            "backup_id": self.backup_id,
            "documents": self.documents,
            "rows": self.rows,
            "quarantined": self.quarantined,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "docs_per_s": round(self.docs_per_s),
            "workers": self.workers,
            "passes": self.passes,
            "path": self.path,
        }
        if self.quarantine_path:
            out["quarantine"] = self.quarantine_path
        if self.policy:
            out["policy"] = self.policy
            out["masked_unlisted_fields"] = self.masked_unlisted
        if self.drift:
            out["type_drift"] = self.drift
        return {**out, **self.provenance}
