"""The bucket where backups land: a local folder by default, a GCS bucket in production."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

from apollo_assets.backups.integrity import verify_backup
from apollo_assets.backups.listing import marked_backup_ids
from apollo_assets.backups.manifest import MARKER, BackupManifest, parse_manifest
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.names import is_backup_id
from apollo_assets.storage import Location, open_location


@dataclass(frozen=True)
class BackupBucket:
    location: Location

    @classmethod
    def from_url(cls, url: str) -> BackupBucket:
        return cls(open_location(url))

    def backup_ids(self) -> list[str]:
        """Every backup folder, complete or not, oldest first (ids sort by time)."""
        return [name for name in self.location.list_dirs(self.location.root) if is_backup_id(name)]

    def complete_backup_ids(self) -> list[str]:
        """Backups whose completion marker exists, oldest first: a half-written backup has none yet."""
        return marked_backup_ids(self.location)

    def manifest(self, backup_id: str) -> BackupManifest:
        path = self.location.join(checked_backup_id(backup_id), MARKER)
        return parse_manifest(self.location.read_bytes(path), where=path)

    def verify(self, backup_id: str) -> BackupManifest:
        """The manifest of a backup whose files match it; raises CorruptBackupError (a clear, non-retried failure)."""
        return verify_backup(self.location, backup_id)

    @contextmanager
    def local_copy(self, backup_id: str) -> Iterator[Path]:
        """A local folder holding the verified backup: the folder itself when local, a temporary download otherwise."""
        self.verify(backup_id)
        source = self.location.join(checked_backup_id(backup_id))
        local = self.location.local_path(source)
        if local is not None:
            yield local
            return
        with tempfile.TemporaryDirectory(prefix=f"backup-{backup_id}-") as tmp:  # a checked id: no separator
            pafs.copy_files(source, tmp, source_filesystem=self.location.fs)
            yield Path(tmp)
