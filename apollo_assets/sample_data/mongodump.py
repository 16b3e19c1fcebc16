"""Writing a backup the way `mongodump [--gzip]` lays it out, then the completion marker, crash-safely.

Protocol: everything is written under `<bucket>/.<backup_id>.tmp/`, each file fsynced, the folder renamed
to `<bucket>/<backup_id>/`, and only then `BACKUP_COMPLETE.json` appears (written aside, then renamed).
A crash at any point leaves either a hidden temporary folder or a folder without marker: never a backup
that looks complete.
"""

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .bson_files import durable_file, fsync_dir, write_bson_file
from .indexes import indexes_for
from .timeutil import iso_z, parse_backup_id

MARKER = "BACKUP_COMPLETE.json"


def collection_metadata(db_name: str, collection: str) -> dict:
    # A collection keeps its UUID from one dump to the next (until dropped): derive it from its namespace.
    digest = hashlib.sha256(f"{db_name}.{collection}".encode()).digest()[:16]
    return {
        "options": {},
        "indexes": indexes_for(collection),
        "uuid": uuid.UUID(bytes=digest, version=4).hex,
        "collectionName": collection,
        "type": "collection",
    }


Documents = Iterable[Mapping[str, Any]]


def _write_collection(folder: Path, db_name: str, name: str, docs: Documents, gzip: bool) -> dict:
    suffix = ".gz" if gzip else ""
    count, size = write_bson_file(folder / f"{name}.bson{suffix}", docs, gzip=gzip)
    with durable_file(folder / f"{name}.metadata.json{suffix}", gzip=gzip) as out:
        out.write(json.dumps(collection_metadata(db_name, name), separators=(",", ":")).encode())
    return {"documents": count, "file": f"{db_name}/{name}.bson{suffix}", "bytes": size}


def _write_marker(folder: Path, manifest: dict) -> None:
    aside = folder / f".{MARKER}.tmp"
    with durable_file(aside) as out:
        out.write(json.dumps(manifest, indent=2).encode())
    os.replace(aside, folder / MARKER)
    fsync_dir(folder)


def write_backup(
    bucket_dir: Path,
    database: Mapping[str, Iterable[Mapping[str, Any]]],
    backup_id: str,
    *,
    gzip: bool = False,
    db_name: str = "apollo",
) -> Path:
    """Write `database` as backup `backup_id` in directory format; returns `<bucket_dir>/<backup_id>`."""
    created_at = parse_backup_id(backup_id)  # also validates the id
    bucket_dir = Path(bucket_dir)
    final, tmp = bucket_dir / backup_id, bucket_dir / f".{backup_id}.tmp"
    if (final / MARKER).exists():
        raise FileExistsError(f"backup {backup_id} already exists and is complete: {final}")
    bucket_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)  # left by a writer that crashed
    try:
        (tmp / db_name).mkdir(parents=True)
        collections = {
            name: _write_collection(tmp / db_name, db_name, name, docs, gzip)
            for name, docs in database.items()  # a generator per collection streams, too
        }
        fsync_dir(tmp / db_name)
        shutil.rmtree(final, ignore_errors=True)  # an incomplete earlier attempt (no marker) is replaced
        os.replace(tmp, final)
        fsync_dir(bucket_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_marker(
        final,
        {
            "backup_id": backup_id,
            "database": db_name,
            "format": "directory",
            "gzip": gzip,
            "created_at": iso_z(created_at),
            "collections": collections,
        },
    )
    return final
