"""What the lake says about the stream: per partition the next offset and latest event time; the watermark; an hour's
committed files. Pure reads of the commit log, used by the assets, the sensor and the checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apollo_assets.lake.commit_log import DataFile, OffsetCommitLog
from apollo_assets.storage import Location
from apollo_assets.stream.topics import dataset_name

HOUR_FOLDER = "%Y-%m-%dT%H"
PARTITION_KEY = "%Y-%m-%d-%H:%M"  # Dagster's hourly partition keys


@dataclass(frozen=True)
class PartitionProgress:
    partition: int
    next_offset: int
    max_event_time: datetime | None


def stream_log(lake: Location, topic: str) -> OffsetCommitLog:
    return OffsetCommitLog(lake, dataset_name(topic))


def progress(lake: Location, topic: str) -> list[PartitionProgress]:
    log = stream_log(lake, topic)
    found = []
    for partition in log.partitions():
        last = log.last(partition)
        if last is not None:
            event = datetime.fromisoformat(last.max_event_time) if last.max_event_time else None
            found.append(PartitionProgress(partition, last.end, event))
    return found


def watermark(lake: Location, topic: str) -> datetime | None:
    """The event time every partition with data has reached: hours before it are complete (up to late events)."""
    times = [p.max_event_time for p in progress(lake, topic) if p.max_event_time is not None]
    return min(times) if times else None


def hour_folder(partition_key: str) -> str:
    return datetime.strptime(partition_key, PARTITION_KEY).strftime(HOUR_FOLDER)


def partition_key(hour_start: datetime) -> str:
    return hour_start.astimezone(UTC).strftime(PARTITION_KEY)


def complete_hours(mark: datetime | None, first: datetime, allowed_delay: timedelta) -> list[str]:
    """Partition keys of the hours from `first` that ended at least `allowed_delay` before the watermark."""
    if mark is None:
        return []
    hour = first.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    keys = []
    while hour + timedelta(hours=1) + allowed_delay <= mark:
        keys.append(partition_key(hour))
        hour += timedelta(hours=1)
    return keys


def first_hour(lake: Location, topic: str) -> datetime | None:
    hours = [n.removeprefix("hour=") for n in lake.list_dirs(stream_log(lake, topic).path) if n.startswith("hour=")]
    return datetime.strptime(min(hours), HOUR_FOLDER).replace(tzinfo=UTC) if hours else None


def hour_files(lake: Location, topic: str, partition_key_: str) -> list[DataFile]:
    """The committed files of one hour, all partitions, in offset order."""
    log, folder = stream_log(lake, topic), hour_folder(partition_key_)
    return [f for p in log.partitions() for c in log.commits(p) for f in c.files if f.hour == folder]
