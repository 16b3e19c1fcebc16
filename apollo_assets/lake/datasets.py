"""Partitioned Parquet datasets with atomic publication.

A partition is `<root>/<name>/backup_id=<id>/`. Each write goes to a fresh version folder `v=<uuid>/`, and only
then is the pointer `_CURRENT.json` replaced in a single object write. Readers follow the pointer, so a crash at
any point leaves either the previous version or the new one visible, never a half-written one; the next commit
removes abandoned versions.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from apollo_assets.lake.filesystem import Location
from apollo_assets.lake.parquet_files import open_parquet

POINTER = "_CURRENT.json"
ROWS_PER_FILE = 1_000_000


class PartitionNotFoundError(LookupError):
    """The partition has never been committed (or was deleted)."""


@dataclass(frozen=True)
class CommitInfo:
    version: str
    files: list[str]
    rows: int
    bytes: int
    committed_at: str
    extras: list[str]


@dataclass(frozen=True)
class PartitionedDataset:
    location: Location
    name: str

    def partition_path(self, backup_id: str) -> str:
        return self.location.join(self.name, f"backup_id={backup_id}")

    def partitions(self) -> list[str]:
        """Backup ids that have a committed version."""
        names = self.location.list_dirs(self.location.join(self.name))
        ids = [n.removeprefix("backup_id=") for n in names if n.startswith("backup_id=")]
        return [i for i in ids if self.location.exists(f"{self.partition_path(i)}/{POINTER}")]

    @contextmanager
    def writer(self, backup_id: str, schema: pa.Schema) -> Iterator[PartitionWriter]:
        """Stage a new version of the partition; it is published only if the block ends without an error."""
        writer = PartitionWriter(self.location, self.partition_path(backup_id), schema)
        try:
            yield writer
            info = writer.close()
        except BaseException:
            writer.abandon()
            raise
        self._publish(backup_id, info)
        writer.info = info

    def write(self, backup_id: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> CommitInfo:
        with self.writer(backup_id, schema) as writer:
            for batch in batches:
                writer.write(batch)
        assert writer.info is not None
        return writer.info

    def current(self, backup_id: str) -> CommitInfo:
        pointer = f"{self.partition_path(backup_id)}/{POINTER}"
        if not self.location.exists(pointer):
            raise PartitionNotFoundError(f"dataset {self.name!r} has no committed partition {backup_id!r}")
        return CommitInfo(**json.loads(self.location.read_bytes(pointer)))

    def files(self, backup_id: str) -> list[str]:
        info = self.current(backup_id)
        return [f"{self.partition_path(backup_id)}/v={info.version}/{f}" for f in info.files]

    def extra_path(self, backup_id: str, name: str) -> str:
        return f"{self.partition_path(backup_id)}/v={self.current(backup_id).version}/{name}"

    def schema(self, backup_id: str) -> pa.Schema:
        return pq.read_schema(self.files(backup_id)[0], filesystem=self.location.fs)

    def iter_batches(self, backup_id: str, batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
        for path in self.files(backup_id):
            with self.location.fs.open_input_file(path) as handle:
                yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_size)

    def read(self, backup_id: str) -> pa.Table:
        return pa.Table.from_batches(list(self.iter_batches(backup_id)), schema=self.schema(backup_id))

    def delete(self, backup_id: str) -> None:
        path = self.partition_path(backup_id)
        if self.location.exists(path):
            self.location.fs.delete_dir(path)

    def _publish(self, backup_id: str, info: CommitInfo) -> None:
        base = self.partition_path(backup_id)
        staged = f"{base}/.{POINTER}.{info.version}"
        with self.location.fs.open_output_stream(staged) as out:
            out.write(json.dumps(info.__dict__).encode())
        self.location.fs.move(staged, f"{base}/{POINTER}")
        for name in self.location.list_dirs(base):
            if name.startswith("v=") and name != f"v={info.version}":
                self.location.fs.delete_dir(f"{base}/{name}")


class PartitionWriter:
    """Parquet files (rolled every ROWS_PER_FILE rows) and side files of one staged, unpublished version."""

    def __init__(self, location: Location, partition_path: str, schema: pa.Schema) -> None:
        self.location, self.schema = location, schema
        self.version = uuid.uuid4().hex
        self.folder = f"{partition_path}/v={self.version}"
        self.files: list[str] = []
        self.extras: list[str] = []
        self.rows = 0
        self.info: CommitInfo | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._rows_in_file = 0
        location.fs.create_dir(self.folder, recursive=True)

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
        if self._parquet is None and not self.files:  # an empty collection is still a committed, readable partition
            self._roll(pa.RecordBatch.from_pylist([], schema=self.schema))
        if self._parquet is not None:
            self._parquet.close()
        size = sum(self.location.fs.get_file_info(f"{self.folder}/{f}").size for f in self.files)
        return CommitInfo(self.version, self.files, self.rows, size, datetime.now(UTC).isoformat(), self.extras)

    def abandon(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self.location.fs.delete_dir(self.folder)

    def _roll(self, first: pa.RecordBatch) -> None:
        if self._parquet is not None:
            self._parquet.close()
        self.files.append(f"part-{len(self.files):04d}.parquet")
        self._parquet = open_parquet(f"{self.folder}/{self.files[-1]}", self.location.fs, self.schema, first)
        self._rows_in_file = 0
