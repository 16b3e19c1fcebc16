from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.settings import load_settings


@click.command(
    "generate-backup",
    cls=ApolloCommand,
    help="Write a sample mongodump backup of the product database into the bucket.",
)
@click.option("--bucket", type=click.Path(path_type=Path), help="Bucket folder (default: $APOLLO_DATA_DIR/backups).")
@click.option("--seed", default=7, show_default=True, help="Same seed, same backups.")
@click.option("--scale", default=1.0, show_default=True, help="Multiplies every collection's size.")
@click.option("--gzip", is_flag=True, help="Write .bson.gz files, like mongodump --gzip.")
@click.option("--at", "at", type=click.DateTime(), help="Backup time (UTC); default: a day after the latest backup.")
@click.option("--progress/--no-progress", default=None, help="Progress bars on stderr (default: on a terminal).")
def generate_backup(
    bucket: Path | None, seed: int, scale: float, gzip: bool, at: datetime | None, progress: bool | None
) -> None:
    from apollo_assets.sample_data import Sizes, write_sample_backup
    from apollo_assets.sample_data.progress import on_terminal

    bucket = bucket or Path(load_settings().backup_url)
    show = on_terminal() if progress is None else progress
    try:
        folder = write_sample_backup(bucket, seed=seed, sizes=Sizes().scaled(scale), at=at, gzip=gzip, progress=show)
    except ValueError as error:  # e.g. --at not after the latest backup: the options' fault, not a bug
        raise click.UsageError(str(error)) from None
    click.echo(f"Backup written: {folder}")
