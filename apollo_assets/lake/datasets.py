"""Partitioned Parquet datasets: a version is staged, may be verified, then published; old versions outlive their
readers.

A partition is `<root>/<name>/backup_id=<id>/`. A writer stages a new version in a fresh folder `v=<uuid>/` that no
reader sees, and may read its staged files back (to check them) before it publishes or abandons them. Publishing
replaces the pointer `_CURRENT.json` by compare-and-swap (`pointer.py`): of two writers of one partition, the later
publishes on top of the earlier, never in its place, so neither loses its version. Readers follow the pointer, so a
crash at any point leaves either the previous version or the new one visible, never a half-written one.

A version the pointer stops naming (superseded, or staged by a writer that died and left it for longer than the
grace period) is listed in the pointer's `retired` map, with the time it left, by the same compare-and-swap; its
folder is deleted only once the grace period has passed since, so that a reader that resolved the pointer just
before a publish keeps its files. A retired version can never be published (the publisher finds it in the map), so
the pointer never names a deleted folder. Expired versions are deleted by the partition's next publish, and by
`sweep_pending`, which retention runs for the partitions listed under `<name>/_sweep/` (one marker per partition
that was written to, removed once nothing is left to delete).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from apollo_assets.errors import KnownError
from apollo_assets.lake.parquet_files import open_parquet
from apollo_assets.lake.pointer import pointer_store
from apollo_assets.storage import Location

POINTER = "_CURRENT.json"
SWEEP = "_sweep"
ROWS_PER_FILE = 1_000_000
DEFAULT_GRACE = timedelta(minutes=60)
PUBLISH_ATTEMPTS = 50  # compare-and-swap rounds lost to other writers before giving up

log = logging.getLogger(__name__)


class PartitionNotFoundError(KnownError, LookupError):
    """The partition has never been committed (or was deleted)."""


class PublishConflictError(KnownError, RuntimeError):
    """A staged version could not be published: it was retired meanwhile, or other writers kept winning."""


@dataclass(frozen=True)
class CommitInfo:
    version: str
    files: list[str]
    rows: int
    bytes: int
    committed_at: str
    extras: list[str]

    @classmethod
    def from_pointer(cls, state: dict) -> CommitInfo:
        return cls(**{f.name: state[f.name] for f in fields(cls)})


def _now() -> datetime:
    return datetime.now(UTC)


def _parse(data: bytes | None) -> tuple[CommitInfo | None, dict[str, str]]:
    """The pointer's current version and its retired versions (version → when it stopped being current)."""
    if data is None:
        return None, {}
    state = json.loads(data)
    return CommitInfo.from_pointer(state), dict(state.get("retired", {}))


@dataclass(frozen=True)
class PartitionedDataset:
    location: Location
    name: str
    grace: timedelta = DEFAULT_GRACE

    def partition_path(self, backup_id: str) -> str:
        return self.location.join(self.name, f"backup_id={backup_id}")

    def version_path(self, backup_id: str, version: str) -> str:
        return f"{self.partition_path(backup_id)}/v={version}"

    def partitions(self) -> list[str]:
        """Backup ids that have a committed version."""
        names = self.location.list_dirs(self.location.join(self.name))
        ids = [n.removeprefix("backup_id=") for n in names if n.startswith("backup_id=")]
        return [i for i in ids if self.location.exists(f"{self.partition_path(i)}/{POINTER}")]

    def stage(self, backup_id: str, schema: pa.Schema) -> PartitionWriter:
        """A new, unpublished version of the partition (see `staging` for one that cannot be forgotten)."""
        writer = PartitionWriter(self, backup_id, schema)
        self._mark_for_sweep(backup_id)  # after the folder exists: a sweep that misses the folder sees the marker
        return writer

    @contextmanager
    def staging(self, backup_id: str, schema: pa.Schema) -> Iterator[PartitionWriter]:
        """A staged version that no reader sees until `writer.publish()`; abandoned if the block ends without it."""
        writer = self.stage(backup_id, schema)
        try:
            yield writer
        finally:
            if writer.info is None:
                writer.abandon()

    @contextmanager
    def writer(self, backup_id: str, schema: pa.Schema) -> Iterator[PartitionWriter]:
        """Stage a new version of the partition; it is published only if the block ends without an error."""
        with self.staging(backup_id, schema) as writer:
            yield writer
            writer.publish()

    def write(self, backup_id: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> CommitInfo:
        with self.writer(backup_id, schema) as writer:
            for batch in batches:
                writer.write(batch)
        assert writer.info is not None
        return writer.info

    def current(self, backup_id: str) -> CommitInfo:
        data, _ = pointer_store(self.location).read(f"{self.partition_path(backup_id)}/{POINTER}")
        info, _ = _parse(data)
        if info is None:
            raise PartitionNotFoundError(f"dataset {self.name!r} has no committed partition {backup_id!r}")
        return info

    def files(self, backup_id: str) -> list[str]:
        info = self.current(backup_id)
        return [f"{self.version_path(backup_id, info.version)}/{f}" for f in info.files]

    def extra_path(self, backup_id: str, name: str) -> str:
        return f"{self.version_path(backup_id, self.current(backup_id).version)}/{name}"

    def schema(self, backup_id: str) -> pa.Schema:
        return pq.read_schema(self.files(backup_id)[0], filesystem=self.location.fs)

    def iter_batches(self, backup_id: str, batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
        yield from read_batches(self.location, self.files(backup_id), batch_size)

    def read(self, backup_id: str) -> pa.Table:
        return pa.Table.from_batches(list(self.iter_batches(backup_id)), schema=self.schema(backup_id))

    def delete(self, backup_id: str) -> None:
        """The whole partition, at once (retention of a backup that nobody reads any more)."""
        path = self.partition_path(backup_id)
        if self.location.exists(path):
            self.location.fs.delete_dir(path)
        self._unmark_for_sweep(backup_id)

    # Publication and the grace period.

    def _publish(self, backup_id: str, info: CommitInfo) -> CommitInfo:
        pointer = f"{self.partition_path(backup_id)}/{POINTER}"
        store = pointer_store(self.location)
        for attempt in range(PUBLISH_ATTEMPTS):
            data, token = store.read(pointer)
            current, retired = _parse(data)
            # Retired, or retired and already deleted (a version is forgotten only once its folder is gone): a
            # sweep took it for abandoned. Checked after reading the pointer that the swap compares against, so
            # no retirement can slip in between.
            if info.version in retired or not self._staged_files_exist(backup_id, info):
                raise PublishConflictError(
                    f"dataset {self.name!r} partition {backup_id}: staged version {info.version} was retired before "
                    f"it was published (idle for longer than the grace period, {self.grace}); write the partition again"
                )
            now = _now()
            if current is not None:
                retired[current.version] = now.isoformat()
            known = {info.version, *retired}
            for version in self._stale_staged(backup_id, known, now):
                retired[version] = (now - self.grace).isoformat()  # abandoned long ago: deletable at once
            info = replace(info, committed_at=now.isoformat())
            if store.swap(pointer, json.dumps({**asdict(info), "retired": retired}).encode(), token):
                break
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # another writer published meanwhile: on top of it
        else:
            raise PublishConflictError(
                f"dataset {self.name!r} partition {backup_id}: other writers replaced the pointer {PUBLISH_ATTEMPTS} "
                "times while this version was being published; write the partition again"
            )
        return info

    def _after_publish(self, backup_id: str) -> None:
        try:
            self._delete_expired(backup_id, _now())
        except Exception as error:  # published all the same; what is left is deleted by a later sweep
            log.warning("dataset %s partition %s: expired versions not deleted yet (%s)", self.name, backup_id, error)

    def sweep(self, backup_id: str, now: datetime | None = None) -> int:
        """Retire versions staged and then left for longer than the grace period, and delete every retired version
        whose grace period has passed. Returns how many versions are left to delete later (or to be published)."""
        now = now or _now()
        pointer = f"{self.partition_path(backup_id)}/{POINTER}"
        store = pointer_store(self.location)
        for _ in range(PUBLISH_ATTEMPTS):
            data, token = store.read(pointer)
            current, retired = _parse(data)
            if current is None:
                # Never published: nothing can be retired without a pointer; the first publish retires what its
                # writers left, and retention deletes the whole partition.
                return len(self._version_folders(backup_id))
            stale = self._stale_staged(backup_id, {current.version, *retired}, now)
            if not stale:
                break
            retired |= {version: (now - self.grace).isoformat() for version in stale}
            if store.swap(pointer, json.dumps({**asdict(current), "retired": retired}).encode(), token):
                break
        return self._delete_expired(backup_id, now)

    def pending_sweeps(self) -> list[str]:
        """Backup ids of the partitions that may hold versions to delete."""
        infos = self.location.list(self.location.join(self.name, SWEEP))
        names = [i.base_name for i in infos if i.type == pafs.FileType.File]
        return sorted(n.removeprefix("backup_id=") for n in names if n.startswith("backup_id="))

    def sweep_pending(self, now: datetime | None = None) -> dict[str, int]:
        """`sweep` every partition marked for it; a partition left with nothing to delete loses its marker.
        Returns the versions left per partition still marked."""
        left = {}
        for backup_id in self.pending_sweeps():
            remaining = self.sweep(backup_id, now)
            if remaining:
                left[backup_id] = remaining
                continue
            self._unmark_for_sweep(backup_id)
            if self._version_folders(backup_id) - self._current_versions(backup_id):
                self._mark_for_sweep(backup_id)  # a writer staged a version since the listing: keep watching
                left[backup_id] = 1
        return left

    def _delete_expired(self, backup_id: str, now: datetime) -> int:
        pointer = f"{self.partition_path(backup_id)}/{POINTER}"
        store = pointer_store(self.location)
        data, _ = store.read(pointer)
        current, retired = _parse(data)
        expired = {v for v, at in retired.items() if datetime.fromisoformat(at) + self.grace <= now}
        if current is not None:
            expired.discard(current.version)
        for version in sorted(expired):
            folder = self.version_path(backup_id, version)
            if self.location.exists(folder):
                self.location.fs.delete_dir(folder)
        for _ in range(PUBLISH_ATTEMPTS):  # forget the deleted versions; another writer may be replacing the pointer
            data, token = store.read(pointer)
            current, retired = _parse(data)
            if current is None or not expired & retired.keys():
                break
            kept = {v: at for v, at in retired.items() if v not in expired}
            if store.swap(pointer, json.dumps({**asdict(current), "retired": kept}).encode(), token):
                retired = kept
                break
        folders = self._version_folders(backup_id)
        return len(folders - ({current.version} if current else set()))

    def _staged_files_exist(self, backup_id: str, info: CommitInfo) -> bool:
        folder = self.version_path(backup_id, info.version)
        infos = self.location.fs.get_file_info([f"{folder}/{name}" for name in [*info.files, *info.extras]])
        return all(i.type == pafs.FileType.File for i in infos)

    def _version_folders(self, backup_id: str) -> set[str]:
        names = self.location.list_dirs(self.partition_path(backup_id))
        return {n.removeprefix("v=") for n in names if n.startswith("v=")}

    def _current_versions(self, backup_id: str) -> set[str]:
        data, _ = pointer_store(self.location).read(f"{self.partition_path(backup_id)}/{POINTER}")
        current, _ = _parse(data)
        return {current.version} if current else set()

    def _stale_staged(self, backup_id: str, known: set[str], now: datetime) -> list[str]:
        """Version folders neither current nor retired whose last write is older than the grace period."""
        stale = []
        for version in sorted(self._version_folders(backup_id) - known):
            folder = self.version_path(backup_id, version)
            infos = [self.location.fs.get_file_info(folder), *self.location.list(folder, recursive=True)]
            times = [i.mtime for i in infos if i.mtime is not None]
            if times and max(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times) + self.grace <= now:
                stale.append(version)
        return stale

    def _sweep_marker(self, backup_id: str) -> str:
        return self.location.join(self.name, SWEEP, f"backup_id={backup_id}")

    def _mark_for_sweep(self, backup_id: str) -> None:
        self.location.fs.create_dir(self.location.join(self.name, SWEEP), recursive=True)
        with self.location.fs.open_output_stream(self._sweep_marker(backup_id)) as out:
            out.write(b"")

    def _unmark_for_sweep(self, backup_id: str) -> None:
        marker = self._sweep_marker(backup_id)
        if self.location.exists(marker):
            self.location.fs.delete_file(marker)


def read_batches(location: Location, paths: Iterable[str], batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
    for path in paths:
        with location.fs.open_input_file(path) as handle:
            yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_size)


class PartitionWriter:
    """Parquet files (rolled every ROWS_PER_FILE rows) and side files of one staged version: `close` ends the
    writing, `batches` reads the staged files back, `publish` makes them the partition's current version."""

    def __init__(self, dataset: PartitionedDataset, backup_id: str, schema: pa.Schema) -> None:
        self.dataset, self.backup_id, self.schema = dataset, backup_id, schema
        self.location = dataset.location
        self.version = uuid.uuid4().hex
        self.folder = dataset.version_path(backup_id, self.version)
        self.files: list[str] = []
        self.extras: list[str] = []
        self.rows = 0
        self.staged: CommitInfo | None = None  # once closed
        self.info: CommitInfo | None = None  # once published
        self._parquet: pq.ParquetWriter | None = None
        self._rows_in_file = 0
        self.location.fs.create_dir(self.folder, recursive=True)

    def write(self, batch: pa.RecordBatch) -> None:
        if self._parquet is None or self._rows_in_file >= ROWS_PER_FILE:
            self._roll(batch)
        assert self._parquet is not None
        self._parquet.write_batch(batch)
        self.rows += batch.num_rows
        self._rows_in_file += batch.num_rows

    def add_file(self, name: str, payload: bytes) -> None:
        with self.location.fs.open_output_stream(f"{self.folder}/{name}") as out:
            out.write(payload)
        self.extras.append(name)

    def close(self) -> CommitInfo:
        """End the writing (idempotent); the staged version is complete but still unpublished."""
        if self.staged is not None:
            return self.staged
        if self._parquet is None and not self.files:  # an empty collection is still a committed, readable partition
            self._roll(pa.RecordBatch.from_pylist([], schema=self.schema))
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        size = sum(self.location.fs.get_file_info(f"{self.folder}/{f}").size for f in self.files)
        self.staged = CommitInfo(self.version, self.files, self.rows, size, _now().isoformat(), self.extras)
        return self.staged

    def batches(self, batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
        """The staged rows, read back from the staged files (what publishing would expose)."""
        info = self.close()
        yield from read_batches(self.location, [f"{self.folder}/{f}" for f in info.files], batch_size)

    def publish(self) -> CommitInfo:
        """Make the staged version the partition's current one (compare-and-swap; see the module's docstring)."""
        self.info = self.dataset._publish(self.backup_id, self.close())
        self.dataset._after_publish(self.backup_id)
        return self.info

    def abandon(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self.location.exists(self.folder):
            self.location.fs.delete_dir(self.folder)

    def _roll(self, first: pa.RecordBatch) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self.files.append(f"part-{len(self.files):04d}.parquet")
        self._parquet = open_parquet(f"{self.folder}/{self.files[-1]}", self.location.fs, self.schema, first)
        self._rows_in_file = 0
