"""Load hours of the event stream into `LAKE.STREAM_<TOPIC>`: the hour's rows deleted, its committed files copied.

A stream file holds the events of one hour (the commit log's `hour=` folder, by the event-time column), so an hour is
replaced as a backup partition is: one transaction deletes the rows whose event time is in the hour and copies the
hour's committed files in; the COPY must load as many rows as the commit records name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

import pyarrow.parquet as pq

from apollo_assets.lake.commit_log import DataFile, OffsetCommitLog
from apollo_assets.warehouse.snowflake.load import LakeLoadError, prepare_table, rows_loaded
from apollo_assets.warehouse.snowflake.sql import identifier, table_name
from apollo_assets.warehouse.stream_tables import StreamTable, committed_files, hour_start


class FileStage(Protocol):
    def copy_files_statement(self, cursor: Any, table: str, log: OffsetCommitLog, files: Sequence[DataFile]) -> str: ...


def delete_hour_sql(table: str, event_time: str) -> str:
    """Rows of one hour (bind: its start and end, UTC)."""
    column = identifier(event_time)
    return f"DELETE FROM {table_name(table)} WHERE {column} >= ? AND {column} < ?"


def hours_of(log: OffsetCommitLog) -> list[str]:
    return sorted({f.hour for f in committed_files(log)})


def load_stream_hours(
    cursor: Any, stage: FileStage, stream: StreamTable, log: OffsetCommitLog, hours: Sequence[str] | None
) -> int:
    """Replace each hour's rows (every committed hour when `hours` is None); returns the rows loaded."""
    files = committed_files(log)
    if not files:
        return 0
    # Every file of a topic has the topic's columns; the first one gives the table its shape.
    prepare_table(cursor, stream.table, pq.read_schema(f"{log.path}/{files[0].path}", filesystem=log.location.fs))
    loaded = 0
    for hour in sorted(set(hours) if hours is not None else {f.hour for f in files}):
        start = hour_start(hour)
        in_hour = [f for f in files if f.hour == hour]
        expected = sum(f.rows for f in in_hour)
        copy = stage.copy_files_statement(cursor, stream.table, log, in_hour) if in_hour else None
        cursor.execute("BEGIN")
        try:
            cursor.execute(delete_hour_sql(stream.table, stream.event_time), [start, start + timedelta(hours=1)])
            count = rows_loaded(cursor.execute(copy).fetchall()) if copy else 0
            if count != expected:
                raise LakeLoadError(f"lake.{stream.table} hour {hour}: COPY loaded {count} rows of {expected}")
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        loaded += count
    return loaded
