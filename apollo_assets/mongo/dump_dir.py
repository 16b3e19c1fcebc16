"""mongodump's directory format: `<db>/<collection>.bson[.gz]` next to `<collection>.metadata.json[.gz]`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from apollo_assets.mongo.bson_framing import iter_blocks
from apollo_assets.mongo.byte_stream import ByteStream, open_maybe_gzip
from apollo_assets.mongo.collection_metadata import metadata_kind, parse_metadata
from apollo_assets.mongo.errors import MetadataError
from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.mongo.timeseries import BUCKETS_PREFIX, TimeseriesCollection
from apollo_assets.names import UntrustedNameError, shown
from apollo_assets.names import collection_name as checked_collection_name

DATA_SUFFIXES = (".bson", ".bson.gz")
METADATA_SUFFIXES = (".metadata.json", ".metadata.json.gz")
# mongodump shortens escaped names longer than this to <first 208 bytes>%24<base64 sha1> (238 bytes).
HASHED_NAME_LENGTH = 238


@dataclass(repr=False)
class DumpCollection(CollectionSource):
    name: str
    metadata: dict[str, Any]
    path: Path
    database: str = ""
    has_metadata: bool = True  # False: a data file without its metadata file, read with default options

    def blocks(self) -> Iterator[DocumentBlock]:
        raw, _ = open_maybe_gzip(self.path)
        stream = ByteStream(raw, str(self.path))
        try:
            yield from iter_blocks(stream)
        finally:
            stream.close()

    def provenance(self) -> dict[str, Any]:
        return {} if self.has_metadata else {"metadata_file": "none: default options"}


@dataclass
class DumpDatabase:
    name: str
    collections: dict[str, CollectionSource] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a person should know (a data file read without metadata)


def split_suffix(filename: str) -> tuple[str, str] | None:
    for suffix in DATA_SUFFIXES + METADATA_SUFFIXES:
        if filename.endswith(suffix) and len(filename) > len(suffix):
            return filename[: -len(suffix)], suffix
    return None


def read_metadata_file(path: Path) -> dict[str, Any]:
    raw, _ = open_maybe_gzip(path)
    with raw:
        try:
            text = raw.read()
        except (OSError, EOFError) as exc:
            raise MetadataError(f"unreadable metadata file: {exc}", str(path)) from exc
    return parse_metadata(text, str(path))


def collection_name(stem: str, metadata: dict[str, Any] | None, where: Path) -> str:
    """Undo mongodump's file-name escaping (Go's url.QueryEscape, or truncation plus a hash); only a name that
    MongoDB could have (not `..`, nothing with NUL or `$`) goes further."""
    recorded = (metadata or {}).get("collectionName")
    if "%24" in stem and len(stem) == HASHED_NAME_LENGTH:
        if not recorded:
            raise MetadataError(
                "file name is a shortened collection name but the metadata has no 'collectionName'", str(where)
            )
        return _possible(recorded, where)
    name = _possible(unquote_plus(stem), where)
    if recorded and recorded != name:
        raise MetadataError(
            f"metadata names collection {shown(recorded)} but the file is for {shown(name)}", str(where)
        )
    return name


def _possible(name: object, where: Path) -> str:
    try:
        return checked_collection_name(name)
    except UntrustedNameError as exc:
        raise MetadataError(f"not a MongoDB collection: {exc}", str(where)) from None


def _dump_files(directory: Path) -> dict[str, dict[str, Path]]:
    """The dump files of a folder by stem: {"data": <stem>.bson[.gz], "metadata": <stem>.metadata.json[.gz]}."""
    stems: dict[str, dict[str, Path]] = {}
    for entry in sorted(directory.iterdir()):
        parts = split_suffix(entry.name) if entry.is_file() else None
        if parts is None:
            continue
        stem, suffix = parts
        kind = "data" if suffix in DATA_SUFFIXES else "metadata"
        if kind in stems.setdefault(stem, {}):
            raise MetadataError(
                f"two {kind} files for the same collection ({stems[stem][kind].name} and {entry.name})", str(directory)
            )
        stems[stem][kind] = entry
    return stems


def read_dump_database(directory: Path) -> DumpDatabase:
    """List one database folder of a dump. A time-series collection is read from its buckets file; a data file
    without its metadata file is read with default options (as mongorestore does), and a note says so."""
    files = _dump_files(directory)
    metadata = {stem: read_metadata_file(f["metadata"]) for stem, f in files.items() if "metadata" in f}
    names = {
        stem: collection_name(stem, metadata.get(stem), f.get("data") or f["metadata"]) for stem, f in files.items()
    }
    database = DumpDatabase(directory.name)
    consumed = _timeseries(database, files, metadata, names)
    for stem, found in files.items():
        if stem in consumed:
            continue
        name, data = names[stem], found.get("data")
        if stem not in metadata:
            assert data is not None
            note = f"no metadata file ({stem}.metadata.json): read as collection {shown(name)} with default options"
            database.notes.append(f"{data}: {note}")
        meta = metadata.get(stem) or {"options": {}, "indexes": []}
        if data is None:
            if metadata_kind(meta) == "collection":
                raise MetadataError(
                    f"metadata for collection {shown(name)} but no {stem}.bson data file", str(found["metadata"])
                )
            database.views[name] = meta
            continue
        database.collections[name] = DumpCollection(name, meta, data, database.name, stem in metadata)
    return database


def _timeseries(
    database: DumpDatabase,
    files: dict[str, dict[str, Path]],
    metadata: dict[str, dict[str, Any]],
    names: dict[str, str],
) -> set[str]:
    """Put each time-series collection of the folder in `database`, read from its buckets (`system.buckets.<name>`,
    or from MongoDB 8.3 on its own data file); returns the stems it used."""
    stem_of = {name: stem for stem, name in names.items()}
    used: set[str] = set()
    for stem, meta in metadata.items():
        if metadata_kind(meta) != "timeseries":
            continue
        name = names[stem]
        buckets_stem = stem_of.get(BUCKETS_PREFIX + name)
        candidates = [s for s in (buckets_stem, stem) if s is not None and "data" in files[s]]
        if len(candidates) != 1:
            where = str(files[stem]["metadata"])
            problem = "no data file" if not candidates else "two data files"
            raise MetadataError(
                f"time-series collection {shown(name)} has {problem} (expected {BUCKETS_PREFIX}{stem}.bson)", where
            )
        data_stem = candidates[0]
        data = files[data_stem]["data"]
        buckets = DumpCollection(names[data_stem], metadata.get(data_stem, {}), data, database.name)
        database.collections[name] = TimeseriesCollection(name, meta, buckets, str(data))
        used |= {stem, data_stem}
    return used
