"""What `apollo ingest` does, apart from parsing its options (so that it can be tested and reused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from apollo_assets.ingest import BesideDataset, IngestOptions, Masking, ingest_collection, open_collections
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.masking import load_masking_key, load_policy
from apollo_assets.mongo.live import LiveOptions, redact
from apollo_assets.settings import load_settings


def run_ingest(
    source: str,
    out: Path,
    names: list[str],
    backup_id: str,
    *,
    workers: int,
    database: str | None,
    max_quarantine_share: float,
    policy_dir: Path | None,
    live: LiveOptions,
    progress: bool | None,
    emit: Callable[[dict[str, Any]], None],
    warn: Callable[[str], None],
) -> list[str]:
    """Ingest each collection; `emit` gets its summary, `warn` what a person should know. Returns the failures."""
    available = open_collections(source, database, live)
    missing = sorted(set(names) - set(available))
    if missing:
        raise ValueError(f"{redact(source)} has no collection(s) {missing}; it has {sorted(available)}")
    settings = load_settings()
    key = load_masking_key(settings.data_dir, settings.env)
    location = open_location(str(out))
    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share, progress=progress)
    failures = []
    for name in names or sorted(available):
        policy = load_policy(name, policy_dir)
        try:
            summary = ingest_collection(
                available[name],
                backup_id,
                PartitionedDataset(location, name),
                masking=Masking(policy, key),
                quarantine=BesideDataset(location),
                options=options,
            )
        except Exception as exc:  # one bad collection must not hide the others' results
            failures.append(name)
            emit({"collection": name, "backup_id": backup_id, "error": f"{type(exc).__name__}: {exc}"})
            continue
        if summary.masked_unlisted:
            why = "no masking policy" if policy.is_default else f"not named by {policy.source}"
            warn(f"{name}: {why}: masked fail-closed: {summary.masked_unlisted}")
        emit(summary.to_json())
    return failures
