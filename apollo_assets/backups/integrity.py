"""Is a marked backup what its marker says? Checked before any of it is read, so that a corrupt backup fails its run
with one clear message instead of a decoding error deep in a reader (or, worse, a partial snapshot)."""

import dagster as dg
import pyarrow.fs as pafs

from apollo_assets.backups.manifest import MARKER, BackupManifest, BackupManifestError, parse_manifest
from apollo_assets.errors import KnownError
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.names import shown
from apollo_assets.storage import Location


class CorruptBackupError(KnownError, dg.Failure):
    """A backup whose marker exists but whose content disagrees with it.

    A `Failure` without retries: the asset retry policy is for flaky I/O, and retrying a corrupt backup only
    delays the same message."""

    def __init__(self, backup_id: str, problems: list[str]) -> None:
        self.backup_id, self.problems = backup_id, problems
        message = f"backup {backup_id} is corrupt: " + "; ".join(problems)
        super().__init__(description=message, metadata={"problems": problems}, allow_retries=False)

    def __str__(self) -> str:
        return self.description or ""


def verify_backup(location: Location, backup_id: str) -> BackupManifest:
    """The backup's manifest, once its marker parses and names files that exist with the sizes it records."""
    folder = location.join(checked_backup_id(backup_id))
    marker = f"{folder}/{MARKER}"
    try:
        manifest = parse_manifest(location.read_bytes(marker), where=marker)
    except FileNotFoundError:
        raise CorruptBackupError(backup_id, [f"no completion marker {MARKER}: the backup is incomplete"]) from None
    except (BackupManifestError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # parse_manifest names what is wrong; anything else it trips on is a marker of the wrong shape.
        raise CorruptBackupError(backup_id, [f"{marker}: unreadable completion marker ({exc})"]) from exc
    problems = manifest_problems(backup_id, manifest, _file_sizes(location, folder))
    if problems:
        raise CorruptBackupError(backup_id, problems)
    return manifest


def manifest_problems(backup_id: str, manifest: BackupManifest, sizes: dict[str, int]) -> list[str]:
    """What disagrees between the manifest and the files (`sizes`: path relative to the backup → bytes)."""
    problems = []
    if manifest.backup_id != backup_id:
        problems.append(f"its marker names backup {shown(manifest.backup_id)}, not the folder's {backup_id!r}")
    if not manifest.collections:
        problems.append("its marker lists no collection")
    if manifest.format == "archive":
        if not any(p.endswith((".archive", ".archive.gz")) for p in sizes):
            problems.append("its marker says 'archive' but the folder holds no .archive[.gz] file")
        return problems
    for name, entry in sorted(manifest.collections.items()):
        file = entry.get("file") if isinstance(entry, dict) else None
        if not file:
            continue
        if file not in sizes:
            problems.append(f"{name}: {file} is missing")
        elif isinstance(entry.get("bytes"), int) and sizes[file] != entry["bytes"]:
            problems.append(f"{name}: {file} has {sizes[file]} bytes, its marker says {entry['bytes']} (truncated?)")
    return problems


def _file_sizes(location: Location, folder: str) -> dict[str, int]:
    # One recursive listing of this backup only: a handful of files, whatever the bucket holds.
    infos = location.fs.get_file_info(pafs.FileSelector(folder, recursive=True))
    base = folder.rstrip("/") + "/"
    return {i.path.removeprefix(base): i.size for i in infos if i.type == pafs.FileType.File}
