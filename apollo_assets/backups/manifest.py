"""The completion marker that a backup writer puts in a backup folder last."""

from __future__ import annotations

import json
from dataclasses import dataclass

from apollo_assets.errors import KnownError

MARKER = "BACKUP_COMPLETE.json"


class BackupManifestError(KnownError, ValueError):
    """A completion marker that cannot be trusted."""


@dataclass(frozen=True)
class BackupManifest:
    backup_id: str
    database: str
    format: str
    gzip: bool
    created_at: str
    collections: dict[str, dict]


def parse_manifest(raw: bytes, *, where: str) -> BackupManifest:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupManifestError(f"{where}: completion marker is not valid JSON ({exc})") from exc
    missing = [k for k in ("backup_id", "database", "format", "collections") if k not in data]
    if missing:
        raise BackupManifestError(f"{where}: completion marker lacks {', '.join(missing)}")
    if data["format"] not in ("directory", "archive"):
        raise BackupManifestError(f"{where}: unknown backup format {data['format']!r}")
    return BackupManifest(
        backup_id=data["backup_id"],
        database=data["database"],
        format=data["format"],
        gzip=bool(data.get("gzip", False)),
        created_at=data.get("created_at", ""),
        collections=dict(data["collections"]),
    )
