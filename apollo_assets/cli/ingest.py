"""`apollo ingest`: collections of a dump folder, an archive or a live cluster -> masked datasets, ad hoc.

It runs the assets' own path (`apollo_assets.ingest`): the same conversion, masking policies (fail-closed where
a collection has none), quarantine and atomic publication. One JSON line per collection on stdout.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import click

from apollo_assets.collections import DATABASE

_BACKUP_ID = re.compile(r"\d{8}T\d{6}Z")


def backup_id_for(source: str, given: str | None) -> str:
    """`--backup-id`, else the backup folder's id when the path has one, else the current time."""
    if given:
        return given
    for part in reversed(Path(source).parts if "://" not in source else ()):
        if _BACKUP_ID.fullmatch(part):
            return part
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _names(values: tuple[str, ...]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


@click.command(
    "ingest",
    help="Convert and mask collections of SOURCE (dump folder, archive, mongodb:// URI or `live`"
    " for $APOLLO_MONGO_URI) into one dataset each under --out; prints a JSON summary per collection.",
)
@click.argument("source")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--collections", "-c", multiple=True, help="Collections to ingest (comma-separated or repeated).")
@click.option("--backup-id", help="Partition key (default: the backup folder's id, else now).")
@click.option("--workers", default=0, show_default=True, help="Processes per collection (0: one per 32 MB, <= CPUs).")
@click.option("--database", help=f"Database to read (live: default {DATABASE!r}; dumps and archives: default all).")
@click.option("--max-quarantine-share", default=0.01, show_default=True, help="Fail above this share quarantined.")
@click.option("--policy-dir", type=click.Path(file_okay=False, path_type=Path), help="Masking policies folder.")
@click.option("--read-preference", default="secondaryPreferred", show_default=True, help="Live: read preference.")
@click.option("--batch-size", default=1000, show_default=True, help="Live: documents per raw batch.")
@click.option(
    "--ranges",
    default=0,
    show_default=True,
    help="Live: _id ranges per collection (0: one per 50,000 documents, <= 8).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def ingest(
    source: str,
    out: Path,
    collections: tuple[str, ...],
    backup_id: str | None,
    workers: int,
    database: str | None,
    max_quarantine_share: float,
    policy_dir: Path | None,
    read_preference: str,
    batch_size: int,
    ranges: int,
    progress: bool | None,
) -> None:
    from apollo_assets.cli.ingest_run import run_ingest
    from apollo_assets.mongo import BackupFormatError
    from apollo_assets.mongo.live import LiveOptions

    live = LiveOptions(read_preference=read_preference, batch_size=batch_size, ranges=ranges)
    try:
        failures = run_ingest(
            source,
            out,
            _names(collections),
            backup_id_for(source, backup_id),
            workers=workers,
            database=database,
            max_quarantine_share=max_quarantine_share,
            policy_dir=policy_dir,
            live=live,
            progress=progress,
            emit=lambda summary: click.echo(json.dumps(summary)),
            warn=lambda text: click.echo(text, err=True),
        )
    except (ValueError, BackupFormatError) as error:  # a source that cannot be opened: no traceback needed
        raise click.ClickException(str(error)) from error
    if failures:
        raise click.ClickException(f"{len(failures)} collection(s) failed: {', '.join(failures)}")
