"""`apollo policy suggest BACKUP`: masking policy drafts for the collections of a backup that have none.

A draft names every field of the sampled documents with an action and the reason for it (by name, type and
sampled values: email, phone, card, IBAN, URL, name-like). It prints field names and shares only, never a
value, and it is a starting point: review it, then save it as `apollo_assets/masking/policies/<name>.yaml`.
"""

from __future__ import annotations

from pathlib import Path

import click

from apollo_assets.cli.errors import ApolloGroup
from apollo_assets.masking.policy.files import POLICY_DIR
from apollo_assets.names import path_segment, shown

DEFAULT_SAMPLE = 10_000


@click.group("policy", cls=ApolloGroup, help="Masking policies: drafts for new collections.")
def policy() -> None:
    pass


@policy.command("suggest", help="Print a policy draft for each collection of BACKUP without a policy file.")
@click.argument("backup", type=click.Path(exists=True, path_type=Path))
@click.option("--collection", "-c", "collections", multiple=True, help="Draft this collection (policy or not).")
@click.option("--database", help="Database to read when the backup holds several.")
@click.option("--sample", default=DEFAULT_SAMPLE, show_default=True, help="Documents sampled per collection.")
def suggest(backup: Path, collections: tuple[str, ...], database: str | None, sample: int) -> None:
    from apollo_assets.masking import suggest_policy
    from apollo_assets.mongo import BackupFormatError, open_backup, read_snapshot

    try:
        opened = open_backup(backup, database)
    except BackupFormatError as exc:
        raise click.ClickException(f"{exc} (--database chooses one)" if "databases" in str(exc) else str(exc)) from None
    unknown = sorted(set(collections) - set(opened.collections))
    if unknown:
        raise click.BadParameter(f"not in the backup: {unknown} (it has {sorted(opened.collections)})")
    chosen = list(collections) or [name for name in opened.collections if not has_policy(name)]
    if not chosen:
        click.echo("Every collection of this backup has a policy; name one with --collection to draft it anyway.")
        return
    for index, name in enumerate(chosen):
        snapshot = read_snapshot(opened.collections[name], backup.name, rows_per_batch=min(sample, 50_000))
        header = f"# --- apollo_assets/masking/policies/{path_segment(name)}.yaml ---"
        click.echo(("---\n" if index else "") + header)
        try:
            click.echo(suggest_policy(snapshot.batches(), name, sample=sample), nl=False)
        except ValueError:  # no documents: nothing to classify, and a guess would be worse than fail-closed
            click.echo(f"# {shown(name)} has no documents to sample: it stays fail-closed until it has some.")


def has_policy(collection: str) -> bool:
    """Whether the platform has a policy file for `collection` (none can be named after `a/b` or `é`)."""
    if path_segment(collection) != collection:
        return False
    return any((POLICY_DIR / f"{collection}{suffix}").is_file() for suffix in (".yaml", ".yml"))
