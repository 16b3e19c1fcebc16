"""An append-only commit log for datasets fed by a partitioned log (Kafka): files and the offsets they cover, together.

Layout under `<root>/<name>/`:

```
hour=2026-11-27T10/p0-<start>-<end>.parquet      data files: partition 0, offsets [start, end)
_commits/partition=0/<start>.json                one record per commit: the offsets [start, end) and its files
```

A record is created exclusively (a hard link on a local disk, a create-only precondition on GCS): of two writers
that both believe they continue a partition from `start`, exactly one succeeds and the other gets `CommitConflict`.
Records of a partition form a chain (each starts where the previous ended), so the next offset to read is the last
record's `end`. Data files are written before their record; a crash between the two leaves files no record names,
which readers never see (they read `files()`, not the folders) and `orphans()` finds for cleaning. The data files
are named by what they hold, so replaying the same offsets writes the same names.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow.fs as pafs

from apollo_assets.errors import ApolloError
from apollo_assets.storage import Location

COMMITS = "_commits"
OFFSET_DIGITS = 20


class CommitConflict(ApolloError, RuntimeError):
    """Another writer committed this partition from the same offset first."""


class BrokenChain(ApolloError, RuntimeError):
    """The records of a partition do not follow each other (a gap or an overlap): the log was tampered with."""


@dataclass(frozen=True)
class DataFile:
    path: str  # relative to the dataset's folder
    hour: str  # `2026-11-27T10`
    rows: int
    bytes: int


@dataclass(frozen=True)
class OffsetCommit:
    partition: int
    start: int
    end: int  # the next offset to read
    files: list[DataFile]
    rows: int
    dead_letters: dict[str, int] = field(default_factory=dict)  # reason -> messages sent to the dead-letter topic
    max_event_time: str | None = None  # the latest event time of the partition so far (ISO), for the watermark
    committed_at: str = ""

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, payload: bytes) -> OffsetCommit:
        data = json.loads(payload)
        data["files"] = [DataFile(**f) for f in data["files"]]
        return cls(**data)


@dataclass(frozen=True)
class OffsetCommitLog:
    location: Location
    name: str  # e.g. `stream/usage_events`

    @property
    def path(self) -> str:
        return self.location.join(*self.name.split("/"))

    def data_file_name(self, hour: str, partition: int, start: int, end: int) -> str:
        return f"hour={hour}/p{partition}-{start:0{OFFSET_DIGITS}d}-{end:0{OFFSET_DIGITS}d}.parquet"

    def partitions(self) -> list[int]:
        names = self.location.list_dirs(f"{self.path}/{COMMITS}")
        return sorted(int(n.removeprefix("partition=")) for n in names if n.startswith("partition="))

    def commits(self, partition: int) -> list[OffsetCommit]:
        folder = self._folder(partition)
        if not self.location.exists(folder):
            return []
        infos = self.location.fs.get_file_info(pafs.FileSelector(folder))
        names = sorted(i.base_name for i in infos if i.base_name.endswith(".json") and i.base_name[0].isdigit())
        records = [OffsetCommit.from_json(self.location.read_bytes(f"{folder}/{n}")) for n in names]
        for before, after in itertools.pairwise(records):
            if before.end != after.start:
                raise BrokenChain(
                    f"{self.name}: partition {partition}: a commit ends at {before.end}, the next "
                    f"starts at {after.start}"
                )
        return records

    def last(self, partition: int) -> OffsetCommit | None:
        """The latest record of a partition (reads only that one)."""
        folder = self._folder(partition)
        if not self.location.exists(folder):
            return None
        infos = self.location.fs.get_file_info(pafs.FileSelector(folder))
        names = sorted(i.base_name for i in infos if i.base_name.endswith(".json") and i.base_name[0].isdigit())
        return OffsetCommit.from_json(self.location.read_bytes(f"{folder}/{names[-1]}")) if names else None

    def next_offset(self, partition: int) -> int | None:
        """Where reading the partition continues; None when nothing was ever committed."""
        last = self.last(partition)
        return last.end if last else None

    def append(self, commit: OffsetCommit) -> OffsetCommit:
        """Publish `commit` (its files already written). Raises CommitConflict when `start` is taken."""
        if commit.end < commit.start:
            raise ValueError(f"commit of partition {commit.partition} ends ({commit.end}) before it starts")
        stamped = OffsetCommit(**{**asdict(commit), "files": commit.files, "committed_at": _now()})
        self.location.fs.create_dir(self._folder(commit.partition), recursive=True)
        target = f"{self._folder(commit.partition)}/{commit.start:0{OFFSET_DIGITS}d}.json"
        if not _create_exclusive(self.location, target, stamped.to_json()):
            raise CommitConflict(
                f"{self.name}: partition {commit.partition} was already committed from offset {commit.start}"
            )
        return stamped

    def files(self, partitions: list[int] | None = None) -> list[str]:
        """Absolute paths of every committed data file, partition by partition, in offset order."""
        chosen = self.partitions() if partitions is None else partitions
        return [f"{self.path}/{f.path}" for p in chosen for c in self.commits(p) for f in c.files]

    def orphans(self, partition: int, from_offset: int) -> list[str]:
        """Data files of `partition` at or after `from_offset` that no record names (left by a crash)."""
        named = {f.path for c in self.commits(partition) for f in c.files}
        found = []
        for hour in self.location.list_dirs(self.path):
            if not hour.startswith("hour="):
                continue
            infos = self.location.fs.get_file_info(pafs.FileSelector(f"{self.path}/{hour}"))
            for info in infos:
                relative = f"{hour}/{info.base_name}"
                parsed = _parse_data_name(info.base_name)
                if parsed and parsed[0] == partition and parsed[1] >= from_offset and relative not in named:
                    found.append(f"{self.path}/{relative}")
        return sorted(found)

    def _folder(self, partition: int) -> str:
        return f"{self.path}/{COMMITS}/partition={partition}"


def _parse_data_name(name: str) -> tuple[int, int, int] | None:
    if not (name.startswith("p") and name.endswith(".parquet")):
        return None
    parts = name.removesuffix(".parquet")[1:].split("-")
    return (
        (int(parts[0]), int(parts[1]), int(parts[2])) if len(parts) == 3 and all(p.isdigit() for p in parts) else None
    )


def _create_exclusive(location: Location, path: str, payload: bytes) -> bool:
    """Write `path` only if it does not exist, atomically; False when it already did."""
    local = location.local_path(path)
    if local is not None:
        staged = local.with_name(f".{local.name}.{uuid.uuid4().hex}")
        with open(staged, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(staged, local)  # fails if the name exists: the create-if-absent of a POSIX filesystem
        except FileExistsError:
            return False
        finally:
            staged.unlink()
        return True
    handler = getattr(location.fs, "handler", None)
    fsspec = getattr(handler, "fs", None)
    if fsspec is not None and type(fsspec).__name__ == "GCSFileSystem":
        try:
            fsspec.pipe_file(path, payload, mode="create")  # ifGenerationMatch=0: GCS refuses an existing object
        except FileExistsError:
            return False
        return True
    if location.exists(path):  # another object store: no create-only write here, the group's ownership guards it
        return False
    with location.fs.open_output_stream(path) as out:
        out.write(payload)
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat()
