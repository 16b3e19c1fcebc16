"""The `apollo` command: one group, one module per subcommand, one error boundary (`cli/errors.py`)."""

from __future__ import annotations

import click

# Aliased so that the subcommands do not shadow their modules (`apollo_assets.cli.policy` stays the module).
from apollo_assets.cli.dashboards import dashboards as dashboards_command
from apollo_assets.cli.errors import ApolloGroup
from apollo_assets.cli.generate import generate_backup as generate_backup_command
from apollo_assets.cli.ingest import ingest as ingest_command
from apollo_assets.cli.policy import policy as policy_command
from apollo_assets.cli.run import run as run_command
from apollo_assets.cli.serve import serve as serve_command
from apollo_assets.cli.stream import generate_events as generate_events_command
from apollo_assets.cli.stream import stream as stream_command


@click.group(
    cls=ApolloGroup,
    help="Apollo data platform: MongoDB backups → masked lake → warehouse → metrics → models. An error is one line "
    "on stderr and exit status 1 (--debug: its traceback).",
)
def main() -> None:
    pass


for command in (
    generate_backup_command,
    generate_events_command,
    stream_command,
    run_command,
    ingest_command,
    policy_command,
    serve_command,
    dashboards_command,
):
    main.add_command(command)
