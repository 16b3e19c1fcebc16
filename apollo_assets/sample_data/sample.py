"""The next sample backup of a bucket: generation and time follow from the complete backups already there."""

import sys
from datetime import datetime, timedelta
from pathlib import Path

from apollo_assets.names import is_backup_id

from .evolution import stream_database
from .mongodump import MARKER, write_backup
from .progress import counted
from .sizes import Sizes
from .timeutil import DEFAULT_START, as_utc, backup_id_for, parse_backup_id


def complete_backup_ids(bucket_dir: Path) -> list[str]:
    """Ids of the backups with a completion marker, oldest first (ids sort by time)."""
    if not bucket_dir.is_dir():
        return []
    return sorted(p.name for p in bucket_dir.iterdir() if is_backup_id(p.name) and (p / MARKER).is_file())


def write_sample_backup(
    bucket_dir: Path,
    *,
    seed: int = 7,
    sizes: Sizes | None = None,
    at: datetime | None = None,
    gzip: bool = False,
    progress: bool = False,
) -> Path:
    """Write the next backup of the simulated database into `bucket_dir`; returns the backup's folder.

    Its generation is the number of complete backups already there, its time `at` or a day after the latest
    (DEFAULT_START for an empty bucket): reproducible, never the wall clock. `progress`: bars on stderr.
    """
    bucket_dir = Path(bucket_dir)
    history = [parse_backup_id(i) for i in complete_backup_ids(bucket_dir)]
    when = as_utc(at) if at is not None else (history[-1] + timedelta(days=1) if history else DEFAULT_START)
    when = when.replace(microsecond=0)
    if history and when <= history[-1]:
        latest = backup_id_for(history[-1])
        raise ValueError(f"backup time {backup_id_for(when)} is not after the latest backup, {latest}")
    if progress:
        print(f"generating backup {backup_id_for(when)} (generation {len(history)}) …", file=sys.stderr, flush=True)
    database = stream_database(seed, len(history), sizes or Sizes(), backup_times=[*history, when])
    return write_backup(bucket_dir, counted(database) if progress else database, backup_id_for(when), gzip=gzip)
