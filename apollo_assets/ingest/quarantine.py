"""Where the documents that could not be converted go, and when there are too many of them.

Raw quarantined documents hold raw personal data, so they never go into the masked lake: beside a snapshot
(restricted zone) they are side files of its partition version, published with it; beside a masked dataset they
go to `<root>/_quarantine/<collection>/backup_id=<id>/`, replaced as a whole on every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from apollo_assets.lake.datasets import PartitionWriter
from apollo_assets.lake.filesystem import Location
from apollo_assets.mongo.report import QuarantinedDocument

BSON_FILE, JSONL_FILE = "quarantine.bson", "quarantine.jsonl"


class QuarantineThresholdError(RuntimeError):
    """Too large a share of a collection's documents could not be converted."""


def payloads(quarantined: list[QuarantinedDocument]) -> dict[str, bytes]:
    """The raw documents back to back (a `.bson` file), and one JSON line per document: where, and why."""
    lines = [json.dumps({"location": q.location, "error": q.error}) for q in quarantined]
    return {BSON_FILE: b"".join(q.raw for q in quarantined), JSONL_FILE: "\n".join(lines).encode()}


class QuarantineSink(Protocol):
    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        """Keep `bad` (maybe empty); returns where they are."""
        ...


class InPartition:
    """Side files of the partition version (the snapshot zone is restricted: raw data may stay there)."""

    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        if bad:
            for name, payload in payloads(bad).items():
                writer.add_file(name, payload)
        return f"{writer.folder}/{BSON_FILE}"


@dataclass(frozen=True)
class BesideDataset:
    """`<root>/_quarantine/<collection>/backup_id=<id>/`, for masked output that must not hold raw values."""

    root: Location

    def store(self, writer: PartitionWriter, collection: str, backup_id: str, bad: list[QuarantinedDocument]) -> str:
        folder = self.root.join("_quarantine", collection, f"backup_id={backup_id}")
        fs = self.root.fs
        if self.root.exists(folder):
            fs.delete_dir(folder)  # a rerun replaces what an earlier run quarantined
        if not bad:
            return ""
        fs.create_dir(folder, recursive=True)
        for name, payload in payloads(bad).items():
            with fs.open_output_stream(f"{folder}/.{name}.tmp") as out:
                out.write(payload)
            fs.move(f"{folder}/.{name}.tmp", f"{folder}/{name}")
        local = self.root.local_path(folder)
        if local is not None:
            local.chmod(0o700)  # raw personal data: owner only, like the snapshot zone
        return f"{folder}/{BSON_FILE}"


def check_share(collection: str, backup_id: str, documents: int, bad: list[QuarantinedDocument], limit: float) -> None:
    share = len(bad) / max(documents, 1)
    if share > limit:
        first = bad[0]
        raise QuarantineThresholdError(
            f"{collection} in backup {backup_id}: {len(bad)} of {documents} documents could not be converted "
            f"({share:.2%} > {limit:.2%}); first: {first.location}: {first.error}"
        )
