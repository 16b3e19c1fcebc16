"""Opening a backup: a mongodump directory or a mongodump archive, told apart by what is on disk.

`open_dump` reads every database of a backup (or the one asked for), `open_backup` one database. Both:
- read a time-series collection from its buckets, as its measurements (`timeseries.py`);
- replay the oplog of a `mongodump --oplog` dump on the collections (`oplog.py`), unless told not to;
- list what they leave aside, never silently: a file at the top of a whole-server dump outside any database
  folder, an oplog that is not replayed, a data file read without its metadata (`notes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from apollo_assets.mongo.archive import ArchiveCollection, ArchivePrelude, read_archive_prelude
from apollo_assets.mongo.byte_stream import GZIP_MAGIC
from apollo_assets.mongo.collection_metadata import metadata_kind
from apollo_assets.mongo.dump_dir import DumpCollection, read_dump_database, split_suffix
from apollo_assets.mongo.errors import BackupFormatError, MetadataError
from apollo_assets.mongo.oplog import OplogIndex, ReplayedCollection, index_oplog
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.mongo.timeseries import BUCKETS_PREFIX, TimeseriesCollection
from apollo_assets.names import UntrustedNameError, collection_name, database_name

ARCHIVE_SUFFIXES = (".archive", ".archive.gz")
OPLOG_FILES = ("oplog.bson", "oplog.bson.gz")
VIEWLESS_TIMESERIES = (8, 3)  # from this server version on, a time-series collection's data is under its own name
DEFAULT_METADATA: dict[str, Any] = {"options": {}, "indexes": []}


@dataclass
class Backup:
    path: Path
    format: Literal["directory", "archive"]
    database: str
    collections: dict[str, CollectionSource] = field(default_factory=dict)
    # Views: metadata only, no documents of their own.
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    gzip: bool = False
    notes: list[str] = field(default_factory=list)  # what a person should know about how it was read


@dataclass(frozen=True)
class LeftAside:
    """Something of the backup that is not read as a collection, and why."""

    path: str
    reason: str


@dataclass
class Dump:
    """The databases of a backup, with what was done to read them."""

    path: Path
    format: Literal["directory", "archive"]
    databases: dict[str, Backup]
    oplog: OplogIndex | None = None  # replayed on the collections
    left_aside: list[LeftAside] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [note for backup in self.databases.values() for note in backup.notes]


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


def _open_database_dir(folder: Path) -> Backup:
    db = read_dump_database(folder)
    gz = any(isinstance(c, DumpCollection) and c.path.name.endswith(".gz") for c in db.collections.values())
    return Backup(folder, "directory", db.name, dict(db.collections), db.views, gz, list(db.notes))


def _root_files(root: Path, dirs: dict[str, Path]) -> tuple[Path | None, list[LeftAside]]:
    """At the top of a whole-server dump: its oplog, and the dump files outside any database folder."""
    if dirs == {root.name: root}:  # `root` is itself a database folder
        beside = next((root.parent / n for n in OPLOG_FILES if (root.parent / n).is_file()), None)
        if beside is None:
            return None, []
        reason = "the oplog of the whole-server dump this database folder is part of: not replayed (open the dump root)"
        return None, [LeftAside(str(beside), reason)]
    oplog, stray = None, []
    for entry in sorted(root.iterdir()):
        if not entry.is_file() or split_suffix(entry.name) is None:
            continue
        if entry.name in OPLOG_FILES and oplog is None:
            oplog = entry
        else:
            stray.append(LeftAside(str(entry), "a dump file at the top of a whole-server dump, outside any database"))
    return oplog, stray


def _open_directory(root: Path, database: str | None) -> tuple[dict[str, Backup], CollectionSource | None, list]:
    dirs = _database_dirs(root)
    names = list(dirs) if database is None else [_pick(list(dirs), database, root)]
    oplog, left_aside = _root_files(root, dirs)
    source = DumpCollection("oplog", {}, oplog, "") if oplog is not None else None
    return {name: _open_database_dir(dirs[name]) for name in names}, source, left_aside


def _archive_collection(entry: Any, path: Path, viewless: bool) -> CollectionSource:
    if entry.type != "timeseries":
        return ArchiveCollection(entry.collection, entry.metadata, path, entry.database)
    data_name = entry.collection if viewless else BUCKETS_PREFIX + entry.collection
    buckets = ArchiveCollection(data_name, {}, path, entry.database)
    return TimeseriesCollection(entry.collection, entry.metadata, buckets, f"{path} ({entry.database}.{data_name})")


def _open_archive(path: Path, database: str | None) -> tuple[dict[str, Backup], CollectionSource | None, list]:
    with path.open("rb") as f:
        gz = f.read(2) == GZIP_MAGIC
    prelude = read_archive_prelude(path)
    found = _archive_databases(prelude)
    if not found:
        raise BackupFormatError("archive lists no collections", str(path))
    names = found if database is None else [_pick(found, database, path)]
    viewless = prelude.server_version() >= VIEWLESS_TIMESERIES
    backups = {name: Backup(path, "archive", name, gzip=gz) for name in names}
    for entry in prelude.entries:
        if entry.database not in backups:
            continue
        if metadata_kind({"type": entry.type}) in ("collection", "timeseries"):
            backups[entry.database].collections[entry.collection] = _archive_collection(entry, path, viewless)
        else:
            backups[entry.database].views[entry.collection] = {**entry.metadata, "type": entry.type}
    oplog = ArchiveCollection("oplog", {}, path, "") if prelude.oplog else None
    return backups, oplog, []


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


def _checked(check: Any, name: str, where: str, *args: str) -> str:
    try:
        return check(name, *args)
    except UntrustedNameError as exc:
        raise MetadataError(f"oplog entry for an impossible namespace: {exc}", where) from None


def _data_namespace(database: str, name: str, source: CollectionSource) -> tuple[str, str]:
    return (database, source.buckets.name) if isinstance(source, TimeseriesCollection) else (database, name)


def _replay(backup: Backup, index: OplogIndex) -> None:
    """Wrap each collection the oplog changes; add those it creates (holding documents) that the dump has not."""
    claimed = set()
    for name, source in list(backup.collections.items()):
        namespace = _data_namespace(backup.database, name, source)
        claimed.add(namespace)
        if index.changes_of(namespace) is None:
            continue
        if isinstance(source, TimeseriesCollection):
            buckets = source.buckets
            source.buckets = ReplayedCollection(buckets.name, buckets.metadata, buckets, namespace, index)
        else:
            backup.collections[name] = ReplayedCollection(name, source.metadata, source, namespace, index)
    for namespace in index.namespaces():
        changes = index.changes_of(namespace)
        if namespace[0] != backup.database or namespace in claimed or changes is None:
            continue
        if not changes.ids and changes.failure is None:
            continue  # only drops: nothing to read
        collection = _checked(collection_name, namespace[1], index.path, backup.database)
        backup.collections[collection] = ReplayedCollection(collection, dict(DEFAULT_METADATA), None, namespace, index)
        backup.notes.append(
            f"{index.path}: collection {collection!r} of {backup.database!r} is not in the dump; "
            "it is read from its oplog entries alone (created during the dump)"
        )


def open_dump(path: str | Path, database: str | None = None, *, replay_oplog: bool = True) -> Dump:
    """Every database of the backup at `path` (or `database` alone), the oplog of a `mongodump --oplog` dump
    replayed on their collections unless `replay_oplog` is false."""
    kind, where = _locate(Path(path))
    opened = _open_archive(where, database) if kind == "archive" else _open_directory(where, database)
    databases, oplog, left_aside = opened
    dump = Dump(where, kind, databases, left_aside=list(left_aside))
    if oplog is not None:
        label = str(getattr(oplog, "path", where)) + (" (oplog)" if kind == "archive" else "")
        if not replay_oplog:
            dump.left_aside.append(LeftAside(label, "the oplog of a mongodump --oplog dump: not replayed"))
        else:
            dump.oplog = index_oplog(oplog, label)
            if database is None:  # a database that only the oplog has (created during the dump)
                for name in dict.fromkeys(db for db, _ in dump.oplog.namespaces()):
                    if name not in databases:
                        databases[name] = Backup(where, kind, _checked(database_name, name, label))
            for backup in databases.values():
                _replay(backup, dump.oplog)
    return dump


def open_backup(path: str | Path, database: str | None = None, *, replay_oplog: bool = True) -> Backup:
    """Open a backup folder, a dump directory (root or one database), or an archive file.

    A folder holding both a dump directory and an archive is ambiguous and refused. When the backup
    holds several databases, `database` chooses one.
    """
    where = _locate(Path(path))[1]
    name = _pick(backup_databases(where), database, where)
    return open_dump(where, name, replay_oplog=replay_oplog).databases[name]


def backup_databases(path: str | Path) -> list[str]:
    """The databases a backup holds, in the order of its folders (a dump) or of its prelude (an archive)."""
    kind, where = _locate(Path(path))
    return _archive_databases(read_archive_prelude(where)) if kind == "archive" else list(_database_dirs(where))
