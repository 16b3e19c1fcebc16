"""The `apollo` command: one group, one module per subcommand."""

from __future__ import annotations

import click

from apollo_assets.cli.generate import generate_backup
from apollo_assets.cli.ingest import ingest
from apollo_assets.cli.policy import policy
from apollo_assets.cli.run import run
from apollo_assets.cli.serve import serve


@click.group(help="Apollo data platform: MongoDB backups → masked lake → warehouse → metrics → models.")
def main() -> None:
    pass


main.add_command(generate_backup)
main.add_command(run)
main.add_command(ingest)
main.add_command(policy)
main.add_command(serve)
