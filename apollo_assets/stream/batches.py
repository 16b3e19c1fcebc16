"""One partition's micro-batch: decoded, masked by the batch path's `Masker`, written as one Parquet file per hour.

The files of a batch and the offsets they cover are published together by one record of the lake's commit log
(`apollo_assets.lake.commit_log`); a batch whose record cannot be written leaves only files no reader sees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from apollo_assets.lake.commit_log import DataFile, OffsetCommit, OffsetCommitLog
from apollo_assets.lake.parquet_files import open_parquet
from apollo_assets.masking import Masker
from apollo_assets.stream.decode import decode_batch
from apollo_assets.stream.topics import SCHEMA_HEADER, StreamTopic

PARTITION_COLUMN, OFFSET_COLUMN = "_kafka_partition", "_kafka_offset"
MS_PER_HOUR = 3_600_000


@dataclass
class PendingBatch:
    """Messages of one topic partition since the last commit, in offset order.

    Kept as the consumer hands them over (value bytes, raw headers, offsets): the per-message work on the consumer's
    loop is three appends, and everything else is done for the whole batch when it is written.
    """

    topic: StreamTopic
    partition: int
    start: int  # the first offset this batch covers (the lake's next offset for the partition)
    values: list[bytes] = field(default_factory=list)
    headers: list[list[tuple[str, bytes | None]] | None] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    opened: float = 0.0  # monotonic time of the first message
    end: int = -1  # the next offset to read: the last message's + 1 (`start` while empty)

    def __post_init__(self) -> None:
        if self.end < 0:
            self.end = self.start
        self.current_headers = [(SCHEMA_HEADER, self.topic.schema_id.encode())]

    def add(self, value: bytes | None, headers: list[tuple[str, bytes | None]] | None, offset: int) -> None:
        """Headers that are just the current schema's are kept as None: a list of tuples per message would be two
        objects more for the garbage collector to walk, for every message waiting in a batch."""
        self.values.append(value or b"")
        self.headers.append(None if headers is None or headers == self.current_headers else headers)
        self.offsets.append(offset)
        self.end = offset + 1

    def versions(self) -> list[str | None] | None:
        """The messages' `schema` headers; None when each names the current version or none (the common case)."""
        if all(h is None for h in self.headers):
            return None
        return [schema_header(h) for h in self.headers]

    def __len__(self) -> int:
        return len(self.values)


def schema_header(headers: list[tuple[str, bytes | None]] | None) -> str | None:
    """The `schema` header of a message (the first one), as text; None without one."""
    if not headers:
        return None
    for name, value in headers:
        if name == SCHEMA_HEADER:
            return value.decode("utf-8", "replace") if value is not None else ""
    return None


@dataclass
class WrittenBatch:
    commit: OffsetCommit
    masked: pa.Table  # what subscribers see (masked, with partition and offset)
    dead_letters: list[tuple[int, str, bytes]]  # (offset, reason, raw value): for the dead-letter topic only


def hour_folder(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%dT%H")


def prepare(batch: PendingBatch, masker: Masker) -> tuple[pa.Table, list[tuple[int, str, bytes]]]:
    """(masked rows with their Kafka coordinates, dead letters) of a batch; nothing is written."""
    decoded = decode_batch(batch.topic, batch.values, batch.versions())
    dead = [(batch.offsets[i], reason, batch.values[i]) for i, reason in decoded.rejected]
    masked = masker.mask_table(decoded.table) if decoded.table.num_rows else masker.output_schema.empty_table()
    accepted = batch.offsets if len(decoded.accepted) == len(batch) else [batch.offsets[i] for i in decoded.accepted]
    offsets = pa.array(accepted, pa.int64())
    masked = masked.append_column(PARTITION_COLUMN, pa.repeat(pa.scalar(batch.partition, pa.int32()), len(offsets)))
    return masked.append_column(OFFSET_COLUMN, offsets), dead


def write_files(log: OffsetCommitLog, batch: PendingBatch, masked: pa.Table) -> list[DataFile]:
    """One Parquet file per event hour, named by partition and offsets (a replay writes the same names)."""
    if masked.num_rows == 0:
        return []
    times = pc.cast(masked.column(batch.topic.event_time), pa.int64())
    hours = pc.divide(times, MS_PER_HOUR)
    files = []
    for hour in sorted(pc.unique(hours).to_pylist()):
        rows = masked.filter(pc.equal(hours, hour))
        name = log.data_file_name(hour_folder(hour * MS_PER_HOUR), batch.partition, batch.start, batch.end)
        files.append(_write_parquet(log, name, rows, hour_folder(hour * MS_PER_HOUR)))
    return files


def commit_record(
    batch: PendingBatch,
    files: list[DataFile],
    dead: list[tuple[int, str, bytes]],
    masked: pa.Table,
    previous_max: str | None,
) -> OffsetCommit:
    event_max = None
    if masked.num_rows:
        latest = pc.max(masked.column(batch.topic.event_time)).as_py()
        event_max = latest.astimezone(UTC).isoformat()
    if previous_max and (event_max is None or previous_max > event_max):
        event_max = previous_max
    return OffsetCommit(
        partition=batch.partition,
        start=batch.start,
        end=batch.end,
        files=files,
        rows=masked.num_rows,
        dead_letters=dict(Counter(reason for _, reason, _ in dead)),
        max_event_time=event_max,
    )


def _write_parquet(log: OffsetCommitLog, name: str, rows: pa.Table, hour: str) -> DataFile:
    location = log.location
    path = f"{log.path}/{name}"
    folder, base = path.rsplit("/", 1)
    location.fs.create_dir(folder, recursive=True)
    staged = f"{folder}/.{base}.tmp"
    first = rows.to_batches()[0] if rows.num_rows else pa.RecordBatch.from_pylist([], schema=rows.schema)
    writer = open_parquet(staged, location.fs, rows.schema, first)
    writer.write_table(rows)
    writer.close()
    location.fs.move(staged, path)  # one rename: a reader of a committed name never sees half a file
    return DataFile(path=name, hour=hour, rows=rows.num_rows, bytes=location.fs.get_file_info(path).size)
