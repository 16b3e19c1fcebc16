from __future__ import annotations

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.settings import load_settings


@click.command(
    "run",
    cls=ApolloCommand,
    help="Headless end-to-end run: sample backup if none, sensor tick, pipeline per new backup.",
)
def run() -> None:
    import dagster as dg

    from apollo_assets.local_run import ensure_sample_backup, evaluate_backup_sensor, run_backup

    settings = load_settings()
    written = ensure_sample_backup(settings)
    if written:
        click.echo(f"Bucket was empty: wrote sample backup {written}")
    with dg.DagsterInstance.get() as instance:
        requests = evaluate_backup_sensor(instance)
        if not requests:
            click.echo("No new backup to process: every complete backup already has its run.")
        for request in requests:
            result = run_backup(instance, request)
            _print_summary(result, settings)
            if not result.success:
                raise click.ClickException(f"run {result.run_id} for backup {result.backup_id} failed")


def _print_summary(result, settings) -> None:
    click.echo(f"\nBackup {result.backup_id}: run {result.run_id} {'succeeded' if result.success else 'FAILED'}")
    click.echo(f"  assets materialized: {len(result.materialized)}")
    layers: dict[str, list[tuple[str, int]]] = {}
    for key, rows in sorted(result.row_counts.items()):
        layers.setdefault(key.split("/")[0], []).append((key, rows))
    for layer, rows in layers.items():
        click.echo(f"  {layer}: " + ", ".join(f"{k.split('/', 1)[-1]}={n}" for k, n in rows))
    for name, value in sorted(result.metrics.items()):
        click.echo(f"  {name}: {value:.3f}")
    click.echo(f"  outputs: lake {settings.lake_url}, warehouse {settings.warehouse_path}, models {settings.ml_dir}")
