"""The event stream's lake datasets as the warehouse sees them: one raw table `lake.stream_<topic>` per topic.

The warehouse knows nothing of Kafka: a stream dataset is a commit log of Parquet files (`lake/commit_log.py`), each
file holding one event hour, and the column whose value places an event in its hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from apollo_assets.lake.commit_log import DataFile, OffsetCommitLog
from apollo_assets.storage import Location

HOUR_FOLDER = "%Y-%m-%dT%H"  # the commit log's hour folders (`hour=2026-11-27T10`)


@dataclass(frozen=True)
class StreamTable:
    table: str  # the raw relation in schema `lake` that the dbt source `stream.<topic>` reads
    dataset: str  # the commit log's dataset in the lake, e.g. `stream/usage_events`
    event_time: str  # the column whose value places an event in its hour

    def log(self, lake: Location) -> OffsetCommitLog:
        return OffsetCommitLog(lake, self.dataset)


def committed_files(log: OffsetCommitLog) -> list[DataFile]:
    """Every committed file of the dataset, partition by partition, in offset order."""
    return [f for p in log.partitions() for c in log.commits(p) for f in c.files]


def hour_start(folder: str) -> datetime:
    """The UTC start of an hour folder's hour (`2026-11-27T10`), checked: it is written into SQL."""
    return datetime.strptime(folder, HOUR_FOLDER).replace(tzinfo=UTC)
