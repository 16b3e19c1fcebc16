"""Which backup folders hold a completion marker, found with one listing of the bucket.

The sensor asks this every tick, over buckets that keep years of daily backups: one stat (or worse, one HTTP
request) per backup does not fit in a tick, so each filesystem gets the cheapest listing it offers.
"""

from __future__ import annotations

import os

import pyarrow.fs as pafs

from apollo_assets.backups.manifest import MARKER
from apollo_assets.names import is_backup_id
from apollo_assets.storage import Location


def marked_backup_ids(location: Location) -> list[str]:
    """Backup ids whose folder holds the completion marker, oldest first. A folder (or GCS prefix) whose name is not
    exactly a backup id is no backup, whatever it holds: its name never becomes a partition key."""
    if location.url.startswith("gs://"):
        ids = _gcs_marked(location.url)
    elif isinstance(location.fs, pafs.LocalFileSystem):
        ids = _local_marked(location.root)
    else:
        ids = _generic_marked(location)
    return sorted(i for i in ids if is_backup_id(i))


def _local_marked(root: str) -> list[str]:
    # One readdir of the bucket, then one stat per backup folder: a local filesystem has no cheaper way to ask,
    # and 10,000 stats cost milliseconds.
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return []
    return [e.name for e in entries if e.is_dir() and os.path.isfile(os.path.join(e.path, MARKER))]


def _gcs_marked(url: str) -> list[str]:
    # One paged listing restricted to the markers (`matchGlob`), instead of one request per backup folder.
    # Names are filtered here too, so that a server that ignores matchGlob (an emulator) still gives the same answer.
    from google.cloud import storage

    bucket_name, _, prefix = url.removeprefix("gs://").partition("/")
    prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    blobs = storage.Client().list_blobs(
        bucket_name, prefix=prefix, match_glob=f"{prefix}*/{MARKER}", fields="items(name),nextPageToken"
    )
    ids = []
    for blob in blobs:
        backup_id, _, rest = blob.name[len(prefix) :].partition("/")
        if rest == MARKER:
            ids.append(backup_id)
    return ids


def _generic_marked(location: Location) -> list[str]:
    # Any other pyarrow filesystem: list the folders, then ask for every marker in one batched call.
    ids = location.list_dirs(location.root)
    infos = location.fs.get_file_info([location.join(i, MARKER) for i in ids])
    return [i for i, info in zip(ids, infos, strict=True) if info.type == pafs.FileType.File]
