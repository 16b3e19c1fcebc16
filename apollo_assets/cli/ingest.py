"""`apollo ingest`: collections of a dump folder, an archive or a live cluster -> masked datasets, ad hoc.

It runs the assets' own path (`apollo_assets.ingest`): the same conversion, masking policies (fail-closed where
a collection has none), quarantine and atomic publication. One JSON line per collection on stdout.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.collections import DATABASE
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.names import is_backup_id

URI_VARIABLE = "APOLLO_MONGO_URI"  # mongo.live.ENV_VAR, spelled here so that --help imports no driver


def backup_id_for(source: str, given: str | None) -> str:
    """`--backup-id` (exactly YYYYMMDDTHHMMSSZ), else the backup folder's id when the path has one, else now."""
    if given is not None:
        return checked_backup_id(given)
    if "://" not in source and not source.startswith("env:"):
        for part in reversed(Path(source).parts):
            if is_backup_id(part):
                return part
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def refuse_uri_argument(source: str, allowed: bool) -> None:
    """A URI on the command line is in the process list (`ps`) for every user of the machine, password included."""
    from apollo_assets.ingest.sources import LIVE_SCHEMES

    if source.startswith(LIVE_SCHEMES) and not allowed:
        raise click.UsageError(
            f"a mongodb:// URI on the command line is visible to every user of this machine: put it in "
            f"${URI_VARIABLE} and pass `live` (or in $NAME and pass `env:NAME`), or pass --allow-uri-argument"
        )


def _names(values: tuple[str, ...]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


@click.command(
    "ingest",
    cls=ApolloCommand,
    help="Convert and mask collections of SOURCE into one dataset each under --out; prints a JSON summary per "
    f"collection. SOURCE is a dump folder, an archive, `live` (the cluster whose URI is in ${URI_VARIABLE}) or "
    "`env:NAME` (the URI in $NAME); a mongodb:// URI itself only with --allow-uri-argument.",
    epilog="\b\nNames from the source are untrusted (docs/contracts.md, section 6):\n"
    "- refused (exit 1): what MongoDB cannot have: an empty name, NUL, a\n"
    "  collection name starting with '.' or holding '$', a database name\n"
    '  holding / \\ . space or ", a name longer than MongoDB allows;\n'
    "- encoded: any other name is one folder under --out: each byte outside\n"
    "  [A-Za-z0-9_.-] (and a leading '.') is written %XX (a/b -> a%2Fb);\n"
    "  over 200 bytes once encoded, it is cut and ends in ~<hash>;\n"
    "- --backup-id is exactly a UTC time YYYYMMDDTHHMMSSZ.\n"
    "Nothing is written or deleted outside --out.\n\n"
    "\b\nWhat a mongodump holds besides collections (docs/contracts.md, section 7):\n"
    "- time-series collections are unpacked from their buckets, one row per\n"
    "  measurement, under the collection's name;\n"
    "- system collections (admin, config, local, system.*) are skipped\n"
    "  unless --include-system; views are listed with their pipeline;\n"
    "- a .bson file without its .metadata.json is read with default options;\n"
    "- the oplog.bson of a --oplog dump is replayed (--no-oplog-replay: not);\n"
    '- anything skipped gets a JSON line with "skipped" and a line on stderr.',
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
@click.option(
    "--include-system",
    is_flag=True,
    help="Also ingest system collections (admin, config, local databases; system.*), masked fail-closed.",
)
@click.option(
    "--oplog-replay/--no-oplog-replay",
    default=True,
    show_default=True,
    help="Replay the oplog.bson of a mongodump --oplog dump on the collections (their state at the end of the dump).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option(
    "--allow-uri-argument", is_flag=True, help="Accept a mongodb:// URI as SOURCE (other users can read it in `ps`)."
)
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
    include_system: bool,
    oplog_replay: bool,
    progress: bool | None,
    allow_uri_argument: bool,
) -> None:
    from apollo_assets.cli.ingest_run import run_ingest
    from apollo_assets.mongo.live import LiveOptions

    refuse_uri_argument(source, allow_uri_argument)
    chosen_id = backup_id_for(source, backup_id)
    try:
        live = LiveOptions(read_preference=read_preference, batch_size=batch_size, ranges=ranges)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    failures = run_ingest(
        source,
        out,
        _names(collections),
        chosen_id,
        workers=workers,
        database=database,
        max_quarantine_share=max_quarantine_share,
        policy_dir=policy_dir,
        live=live,
        progress=progress,
        emit=lambda summary: click.echo(json.dumps(summary)),
        warn=lambda text: click.echo(text, err=True),
        include_system=include_system,
        replay_oplog=oplog_replay,
    )
    if failures:
        raise click.ClickException(f"{len(failures)} collection(s) failed: {', '.join(failures)} (see its JSON line)")
