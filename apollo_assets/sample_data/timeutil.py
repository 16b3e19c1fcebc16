"""UTC clock helpers at BSON precision, and backup ids (`YYYYMMDDTHHMMSSZ`)."""

import math
from datetime import UTC, datetime, timedelta
from functools import cache

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = 86_400.0
WEEK = 7 * DAY
# The first backup of an empty bucket; later ones follow daily. Never the wall clock: runs are reproducible.
DEFAULT_START = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
_ID_FORMAT = "%Y%m%dT%H%M%SZ"


def at(seconds: float) -> datetime:
    """A UTC datetime truncated to milliseconds, so the generated value equals what BSON decodes."""
    return EPOCH + timedelta(milliseconds=math.floor(seconds * 1000))


def at_ms(milliseconds: int) -> datetime:
    return EPOCH + timedelta(milliseconds=milliseconds)


def seconds(dt: datetime) -> float:
    return (dt - EPOCH).total_seconds()


def backup_id_for(dt: datetime) -> str:
    return as_utc(dt).strftime(_ID_FORMAT)


def as_utc(dt: datetime) -> datetime:
    """Backup times are UTC; a naive datetime (e.g. from a command line) is read as UTC, not local time."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_backup_id(backup_id: str) -> datetime:
    return datetime.strptime(backup_id, _ID_FORMAT).replace(tzinfo=UTC)


def iso_z(dt: datetime) -> str:
    return as_utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_index(dt: datetime) -> int:
    return dt.year * 12 + dt.month - 1


@cache
def month_start(index: int) -> datetime:
    """The first day of a month, cached: employment dates are month-precise and drawn millions of times."""
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
