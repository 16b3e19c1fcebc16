"""From what the user names (a dump folder, an archive, a mongodb:// URI) to collections, and from a collection
to the parts its workers read: a plain `.bson` file is cut in place, anything else is spooled first."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from apollo_assets.collections import DATABASE
from apollo_assets.ingest.parts import Part, piece_count, split_file
from apollo_assets.ingest.spool import spool_source
from apollo_assets.mongo import backup_databases, open_backup
from apollo_assets.mongo.archive import ArchiveCollection
from apollo_assets.mongo.dump_dir import DumpCollection
from apollo_assets.mongo.live import ENV_VAR, LiveCollectionSource, LiveOptions, LiveReadError, mongo_uri
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.mongo.stream import GZIP_MAGIC

LIVE_SCHEMES = ("mongodb://", "mongodb+srv://")
READ_THREADS = 4  # ranges read at once: the cluster does the work, this side mostly waits


def is_live(spec: str) -> bool:
    return spec.startswith(LIVE_SCHEMES) or spec == "live"


def open_collections(
    spec: str, database: str | None = None, live: LiveOptions | None = None
) -> dict[str, CollectionSource]:
    """The collections of a backup path, or of `database` on a cluster (`live`: the URI from APOLLO_MONGO_URI)."""
    if not is_live(spec):
        return dict(open_backup(Path(spec), database).collections)
    database = database or DATABASE
    uri = mongo_uri() if spec == "live" else spec
    from pymongo import MongoClient  # the driver only for a live cluster: backups are read as files

    with MongoClient(uri) as client:
        try:
            names = client[database].list_collection_names(filter={"type": "collection"})
        except Exception as exc:
            raise LiveReadError(f"cannot list the collections of {database!r} (URI from {ENV_VAR}?): {exc}") from exc
    return {
        name: LiveCollectionSource(uri, database, name, live or LiveOptions())
        for name in sorted(names)
        if not name.startswith("system.")
    }


def open_databases(
    spec: str, database: str | None = None, live: LiveOptions | None = None
) -> dict[str, dict[str, CollectionSource]]:
    """The collections of each database to read: `database` alone when given (a cluster's default otherwise),
    else every database the backup holds (a mongodump root of a whole server has several, `admin` included)."""
    if is_live(spec) or database is not None:
        return {database or DATABASE: open_collections(spec, database, live)}
    return {name: open_collections(spec, name) for name in backup_databases(Path(spec))}


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == GZIP_MAGIC


def spool_live(source: LiveCollectionSource, directory: Path) -> list[Part]:
    """Each `_id` range read once, side by side, into its own local file: one part per range."""
    from pymongo import MongoClient

    with MongoClient(source.uri) as client:
        ranges = source.ranges(client)
        paths = [directory / f"{source.name}.range{i:04d}.bson" for i in range(len(ranges))]

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
    return _cut(spooled, workers, str(getattr(source, "path", source.name)))


def _cut(path: Path, workers: int, label: str | None = None) -> list[Part]:
    return split_file(path, piece_count(path.stat().st_size, workers), label)


@contextmanager
def spool_dir(parent: Path | None = None) -> Iterator[Path]:
    with TemporaryDirectory(prefix="apollo-ingest-", dir=parent) as tmp:
        yield Path(tmp)
