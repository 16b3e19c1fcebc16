"""Opening a backup: a mongodump directory or a mongodump archive, told apart by what is on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from apollo_assets.mongo.archive import ArchiveCollection, ArchivePrelude, read_archive_prelude
from apollo_assets.mongo.dump_dir import DumpCollection, read_dump_database, split_suffix
from apollo_assets.mongo.errors import BackupFormatError, MetadataError
from apollo_assets.mongo.metadata import metadata_kind
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.mongo.stream import GZIP_MAGIC
from apollo_assets.names import UntrustedNameError, database_name

ARCHIVE_SUFFIXES = (".archive", ".archive.gz")


@dataclass
class Backup:
    path: Path
    format: Literal["directory", "archive"]
    database: str
    collections: dict[str, CollectionSource] = field(default_factory=dict)
    # Views and time-series definitions: metadata only, no documents of their own.
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    gzip: bool = False


def _has_dump_files(directory: Path) -> bool:
    return any(split_suffix(p.name) for p in directory.iterdir() if p.is_file())


def _pick(found: list[str], database: str | None, where: Path) -> str:
    if database is not None:
        if database not in found:
            raise BackupFormatError(f"database {database!r} is not in this backup (found: {sorted(found)})", str(where))
        return database
    if len(found) != 1:
        raise BackupFormatError(f"backup holds databases {sorted(found)}: say which one to read", str(where))
    return found[0]


def _database_dirs(root: Path) -> dict[str, Path]:
    # A dump root holds one folder per database (and maybe oplog.bson); a database folder holds .bson files.
    dirs = {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and _has_dump_files(p)}
    for name in dirs:  # each is a database's folder: only a name MongoDB could have goes further
        try:
            database_name(name)
        except UntrustedNameError as exc:
            problem = f"a folder of dump files that no MongoDB database could have written: {exc}"
            raise MetadataError(problem, str(root)) from None
    return dirs or {root.name: root}


def _archive_databases(prelude: ArchivePrelude) -> list[str]:
    return list(dict.fromkeys(e.database for e in prelude.entries))


def _open_directory(root: Path, database: str | None) -> Backup:
    dirs = _database_dirs(root)
    name = _pick(list(dirs), database, root)
    db = read_dump_database(dirs[name])
    collections: dict[str, CollectionSource] = dict(db.collections)
    gz = any(isinstance(c, DumpCollection) and c.path.name.endswith(".gz") for c in db.collections.values())
    return Backup(dirs[name], "directory", name, collections, db.views, gz)


def _open_archive(path: Path, database: str | None) -> Backup:
    with path.open("rb") as f:
        gz = f.read(2) == GZIP_MAGIC
    prelude = read_archive_prelude(path)
    databases = _archive_databases(prelude)
    if not databases:
        raise BackupFormatError("archive lists no collections", str(path))
    name = _pick(databases, database, path)
    backup = Backup(path, "archive", name, gzip=gz)
    for entry in prelude.entries:
        if entry.database != name:
            continue
        if metadata_kind({"type": entry.type}) == "collection":
            backup.collections[entry.collection] = ArchiveCollection(entry.collection, entry.metadata, path, name)
        else:
            backup.views[entry.collection] = {**entry.metadata, "type": entry.type}
    return backup


def _locate(path: Path) -> tuple[Literal["directory", "archive"], Path]:
    """Where the backup at `path` is: a dump directory, or an archive file (given, or alone in the folder)."""
    if not path.exists():
        raise BackupFormatError("backup path does not exist", str(path))
    if path.is_file():
        return "archive", path
    archives = [p for p in sorted(path.iterdir()) if p.is_file() and p.name.endswith(ARCHIVE_SUFFIXES)]
    has_dump = _has_dump_files(path) or any(p.is_dir() and _has_dump_files(p) for p in path.iterdir())
    if archives and has_dump:
        raise BackupFormatError("backup folder holds both an archive and a dump directory", str(path))
    if len(archives) > 1:
        raise BackupFormatError(f"backup folder holds several archives: {[a.name for a in archives]}", str(path))
    if archives:
        return "archive", archives[0]
    if not has_dump:
        raise BackupFormatError("no mongodump data (.bson files or an archive) found", str(path))
    return "directory", path


def open_backup(path: str | Path, database: str | None = None) -> Backup:
    """Open a backup folder, a dump directory (root or one database), or an archive file.

    A folder holding both a dump directory and an archive is ambiguous and refused. When the backup
    holds several databases, `database` chooses one.
    """
    kind, where = _locate(Path(path))
    return _open_archive(where, database) if kind == "archive" else _open_directory(where, database)


def dump_oplog(path: str | Path) -> Path | None:
    """The `oplog.bson` that `mongodump --oplog` writes at a dump's root: operations, not a collection's documents."""
    oplog = Path(path) / "oplog.bson"
    return oplog if oplog.is_file() else None


def backup_databases(path: str | Path) -> list[str]:
    """The databases a backup holds, in the order of its folders (a dump) or of its prelude (an archive)."""
    kind, where = _locate(Path(path))
    return _archive_databases(read_archive_prelude(where)) if kind == "archive" else list(_database_dirs(where))
