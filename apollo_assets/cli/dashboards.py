"""`apollo dashboards`: the L1/L2 metric dashboards (Streamlit) over the marts, on loopback unless told otherwise."""

from __future__ import annotations

import os

import click

from apollo_assets.cli.errors import ApolloCommand
from apollo_assets.dashboards.settings import DAGSTER_UI_VARIABLE, DEFAULT_DAGSTER_UI, checked_ui_url
from apollo_assets.settings import ConfigurationError, load_settings


@click.command(
    "dashboards", cls=ApolloCommand, help="Serve the metric dashboards (L1 overview, L2 features, funnel, cohorts)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8501, show_default=True, envvar="APOLLO_DASHBOARDS_PORT", type=click.IntRange(1, 65535))
@click.option(
    "--dagster-url",
    default=DEFAULT_DAGSTER_UI,
    show_default=True,
    envvar=DAGSTER_UI_VARIABLE,
    help=f"The Dagster UI the pages link to ({DAGSTER_UI_VARIABLE}).",
)
def dashboards(host: str, port: int, dagster_url: str) -> None:
    from apollo_assets.dashboards.server import streamlit_command

    try:
        url = checked_ui_url(dagster_url.strip(), "--dagster-url")
        settings = load_settings()
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    if not settings.is_prod and not settings.warehouse_path.exists():
        raise click.ClickException(f"no warehouse at {settings.warehouse_path}: run `make run` first")
    command = streamlit_command(host, port)
    click.echo(f"Dashboards on http://{host}:{port} (links to the Dagster UI at {url})", err=True)
    os.execve(command[0], command, {**os.environ, DAGSTER_UI_VARIABLE: url})


if __name__ == "__main__":
    dashboards()
