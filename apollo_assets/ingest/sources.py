"""From what the user names (a dump folder, an archive, a cluster) to collections, and from a collection
to the parts its workers read: a plain `.bson` file is cut in place, anything else is spooled first."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from apollo_assets.collections import DATABASE
from apollo_assets.ingest.parts import Part, piece_count, split_file
from apollo_assets.ingest.spool import spool_source
from apollo_assets.mongo import open_backup
from apollo_assets.mongo.archive import ArchiveCollection
from apollo_assets.mongo.backup import LeftAside, open_dump
from apollo_assets.mongo.byte_stream import GZIP_MAGIC
from apollo_assets.mongo.dump_dir import DumpCollection
from apollo_assets.mongo.live import LiveCollectionSource, LiveOptions, LiveReadError, mongo_uri, redact
from apollo_assets.mongo.oplog import OplogIndex, ReplayedCollection
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.mongo.timeseries import TimeseriesCollection
from apollo_assets.names import collection_name, database_name, path_segment, shown
from apollo_assets.settings import ConfigurationError

LIVE_SCHEMES = ("mongodb://", "mongodb+srv://")
ENV_PREFIX = "env:"
READ_THREADS = 4  # ranges read at once: the cluster does the work, this side mostly waits


def is_live(spec: str) -> bool:
    """A cluster: `live` (its URI in APOLLO_MONGO_URI), `env:NAME` (in $NAME), or a URI itself."""
    return spec.startswith((*LIVE_SCHEMES, ENV_PREFIX)) or spec == "live"


def live_uri(spec: str, environ: Mapping[str, str] | None = None) -> str:
    """The URI a live `spec` names: from the environment for `live` and `env:NAME`, else `spec` itself."""
    environ = os.environ if environ is None else environ
    if spec == "live":
        return mongo_uri(dict(environ))
    if spec.startswith(ENV_PREFIX):
        name = spec.removeprefix(ENV_PREFIX)
        uri = environ.get(name, "").strip() if name else ""
        if not uri:
            raise ConfigurationError(f"environment variable {shown(name)} ({spec}) is not set or empty")
        if not uri.startswith(LIVE_SCHEMES):
            raise ConfigurationError(f"environment variable {shown(name)} does not hold a mongodb:// URI")
        return uri
    return spec


@dataclass
class OpenedSource:
    """What a source holds: each database's collections, its views (definitions only), and what the reader left
    aside or should tell (a data file without metadata, a file outside any database, an oplog not replayed)."""

    databases: dict[str, dict[str, CollectionSource]]
    views: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    left_aside: list[LeftAside] = field(default_factory=list)
    oplog: OplogIndex | None = None  # replayed on the collections


def _live_listing(
    spec: str, database: str, live: LiveOptions | None
) -> tuple[dict[str, CollectionSource], dict[str, dict[str, Any]]]:
    from pymongo import MongoClient  # the driver only for a live cluster: backups are read as files
    from pymongo.errors import PyMongoError

    uri = live_uri(spec)
    try:
        client = MongoClient(uri)
    except PyMongoError:  # its text may quote the URI's options, secrets included
        raise ConfigurationError(f"{redact(uri)} is not a valid MongoDB URI") from None
    with client:
        try:
            listed = list(client[database].list_collections())
        except Exception as exc:
            raise LiveReadError(f"cannot list the collections of {database!r} ({redact(uri)}): {exc}") from exc
    collections: dict[str, CollectionSource] = {}
    views: dict[str, dict[str, Any]] = {}
    for info in sorted(listed, key=lambda i: str(i.get("name"))):
        name = collection_name(info.get("name"), database)
        kind = info.get("type", "collection")
        if kind == "collection":
            collections[name] = LiveCollectionSource(uri, database, name, live or LiveOptions())
        else:  # a view; a time-series collection has no _id index to split it by (read its mongodump)
            views[name] = {"type": kind, "options": info.get("options") or {}}
    return collections, views


def open_source(
    spec: str, database: str | None = None, live: LiveOptions | None = None, *, replay_oplog: bool = True
) -> OpenedSource:
    """The collections of each database to read: `database` alone when given (a cluster's default otherwise),
    else every database the backup holds (a mongodump root of a whole server has several, `admin` included).
    A `mongodump --oplog` dump's oplog is replayed on them unless `replay_oplog` is false."""
    if is_live(spec):
        name = database_name(database or DATABASE)
        collections, views = _live_listing(spec, name, live)
        return OpenedSource({name: collections}, {name: views})
    dump = open_dump(Path(spec), database, replay_oplog=replay_oplog)
    return OpenedSource(
        {name: dict(backup.collections) for name, backup in dump.databases.items()},
        {name: dict(backup.views) for name, backup in dump.databases.items()},
        dump.notes,
        dump.left_aside,
        dump.oplog,
    )


def open_collections(
    spec: str, database: str | None = None, live: LiveOptions | None = None
) -> dict[str, CollectionSource]:
    """The collections of a backup path, or of `database` on a cluster (`spec`: see `is_live`)."""
    if not is_live(spec):
        return dict(open_backup(Path(spec), database).collections)
    return next(iter(open_source(spec, database, live).databases.values()))


def open_databases(
    spec: str, database: str | None = None, live: LiveOptions | None = None
) -> dict[str, dict[str, CollectionSource]]:
    """The collections of each database to read (see `open_source`)."""
    return open_source(spec, database, live).databases


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == GZIP_MAGIC


def spool_live(source: LiveCollectionSource, directory: Path) -> list[Part]:
    """Each `_id` range read once, side by side, into its own local file: one part per range."""
    from pymongo import MongoClient

    with MongoClient(source.uri) as client:
        ranges = source.ranges(client)
        paths = [directory / f"{path_segment(source.name)}.range{i:04d}.bson" for i in range(len(ranges))]

        def read(i: int) -> Part:
            with paths[i].open("wb") as out:
                for batch in source.raw_batches(client, ranges[i]):
                    out.write(batch)
            return Part(str(paths[i]), 0, paths[i].stat().st_size, source.label(ranges[i]))

        with ThreadPoolExecutor(min(READ_THREADS, len(ranges))) as threads:
            return list(threads.map(read, range(len(ranges))))


def collection_parts(source: CollectionSource, workers: int, directory: Path) -> list[Part]:
    """Parts of `source` for `workers` workers; spooled files go under `directory`."""
    if isinstance(source, LiveCollectionSource):
        return spool_live(source, directory)
    if isinstance(source, DumpCollection) and not _is_gzip(source.path):
        return _cut(source.path, workers)
    spooled = spool_source(source, directory)
    if isinstance(source, ArchiveCollection):
        # Offsets are those of the collection's own document stream, not of the interleaved archive.
        return _cut(spooled, workers, f"{source.path} ({source.database}.{source.name} document stream)")
    if isinstance(source, (TimeseriesCollection, ReplayedCollection)):
        return _cut(spooled, workers, source.stream_label())  # offsets of the documents as unpacked or replayed
    return _cut(spooled, workers, str(getattr(source, "path", source.name)))


def _cut(path: Path, workers: int, label: str | None = None) -> list[Part]:
    return split_file(path, piece_count(path.stat().st_size, workers), label)


@contextmanager
def spool_dir(parent: Path | None = None) -> Iterator[Path]:
    with TemporaryDirectory(prefix="apollo-ingest-", dir=parent) as tmp:
        yield Path(tmp)
