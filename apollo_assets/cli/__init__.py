"""The `apollo` command: one group, one module per subcommand."""

from __future__ import annotations

import click

from apollo_assets.cli.generate import generate_backup
from apollo_assets.cli.run import run


@click.group(help="Apollo data platform: MongoDB backups → masked lake → warehouse → metrics → models.")
def main() -> None:
    pass


main.add_command(generate_backup)
main.add_command(run)
