"""mongodump's directory format: `<db>/<collection>.bson[.gz]` next to `<collection>.metadata.json[.gz]`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from apollo_assets.mongo.bson_stream import iter_blocks
from apollo_assets.mongo.errors import MetadataError
from apollo_assets.mongo.metadata import metadata_kind, parse_metadata
from apollo_assets.mongo.source import CollectionSource, DocumentBlock
from apollo_assets.mongo.stream import ByteStream, open_maybe_gzip
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

    def blocks(self) -> Iterator[DocumentBlock]:
        raw, _ = open_maybe_gzip(self.path)
        stream = ByteStream(raw, str(self.path))
        try:
            yield from iter_blocks(stream)
        finally:
            stream.close()


@dataclass
class DumpDatabase:
    name: str
    collections: dict[str, DumpCollection] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)


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


def read_dump_database(directory: Path) -> DumpDatabase:
    """List one database folder of a dump; every data file needs its metadata file."""
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
    database = DumpDatabase(directory.name)
    for stem, files in stems.items():
        metadata = read_metadata_file(files["metadata"]) if "metadata" in files else None
        data = files.get("data")
        name = collection_name(stem, metadata, data or files["metadata"])
        if metadata is None:
            if not stem.startswith("system.buckets."):
                raise MetadataError(f"no metadata file ({stem}.metadata.json) for collection {shown(name)}", str(data))
            metadata = {"options": {}, "indexes": []}
        if data is None:
            if metadata_kind(metadata) == "collection":
                raise MetadataError(
                    f"metadata for collection {shown(name)} but no {stem}.bson data file", str(files["metadata"])
                )
            database.views[name] = metadata
            continue
        database.collections[name] = DumpCollection(name, metadata, data, database.name)
    return database
