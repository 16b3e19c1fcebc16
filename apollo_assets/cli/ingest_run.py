"""What `apollo ingest` does, apart from parsing its options (so that it can be tested and reused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from apollo_assets.cli.errors import error_text
from apollo_assets.collections import DATABASE
from apollo_assets.ingest import BesideDataset, IngestOptions, Masking, ingest_collection, open_databases
from apollo_assets.ingest.collection import needs_workers
from apollo_assets.ingest.pool import start_forkserver
from apollo_assets.ingest.sources import is_live
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.masking import MaskingPolicy, load_masking_key, load_policy
from apollo_assets.mongo.backup import dump_oplog
from apollo_assets.mongo.live import LiveOptions, redact
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.names import UntrustedNameError, path_segment, printable
from apollo_assets.settings import load_settings


class UnknownCollectionError(LookupError):
    """`--collections` names a collection that the source does not have."""


def run_ingest(
    source: str,
    out: Path,
    names: list[str],
    backup_id: str,
    *,
    workers: int,
    database: str | None,
    max_quarantine_share: float,
    policy_dir: Path | None,
    live: LiveOptions,
    progress: bool | None,
    emit: Callable[[dict[str, Any]], None],
    warn: Callable[[str], None],
) -> list[str]:
    """Ingest each collection; `emit` gets its summary, `warn` what a person should know. Returns the failures.

    A backup of several databases (a whole server's dump) gives each database its own folder under `out`."""
    databases = open_databases(source, database, live)
    several = len(databases) > 1
    chosen = choose(databases, names, source)
    folders = output_folders(chosen, several)
    if any(needs_workers(databases[db][name], workers) for db, name in chosen):
        start_forkserver()  # the workers' server imports the pipeline while the first collections are read
    if not is_live(source) and (oplog := dump_oplog(source)) is not None:
        warn(f"{oplog}: the operations mongodump --oplog recorded during the dump, not a collection: not ingested")
    if several:
        shown = ", ".join(printable(db) for db in databases)
        warn(f"{len(databases)} databases ({shown}): each one's datasets go under {out}/<database>/")
    settings = load_settings()
    key = load_masking_key(settings.data_dir, settings.env)
    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share, progress=progress)
    failures = []
    for db, name in chosen:
        folder, dataset_name = folders[db, name]
        location = open_location(str(out / folder if folder else out))
        label = printable(f"{db}.{name}" if several else name)
        try:
            policy = policy_for(db, name, policy_dir)
            summary = ingest_collection(
                databases[db][name],
                backup_id,
                PartitionedDataset(location, dataset_name),
                masking=Masking(policy, key),
                quarantine=BesideDataset(location),
                options=options,
            )
        except Exception as exc:  # one bad collection must not hide the others' results
            failures.append(label)
            line = {"database": db, "collection": name, "backup_id": backup_id, "error": error_text(exc)}
            emit(line | {"error_type": type(exc).__name__})
            continue
        if summary.masked_unlisted:
            why = "no masking policy" if policy.is_default else f"not named by {policy.source}"
            warn(f"{label}: {why}: masked fail-closed: {summary.masked_unlisted}")
        emit({"database": db, **summary.to_json()})
    return failures


def output_folders(chosen: list[tuple[str, str]], several: bool) -> dict[tuple[str, str], tuple[str, str]]:
    """(database folder, dataset folder) under `--out` of each chosen collection: names encoded as one folder name
    each (`names.path_segment`); the database folder is "" when there is one database. Two collections whose
    folders differ only in case are refused: on a case-insensitive disk they would be one folder, and each
    publication would delete the other's files."""
    folders = {(db, name): (path_segment(db) if several else "", path_segment(name)) for db, name in chosen}
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for pair, (db_folder, dataset) in folders.items():
        key = (db_folder.lower(), dataset.lower())
        if key in seen:
            other = printable(".".join(seen[key]))
            problem = f"would share its folder with {other} (the names differ in case only)"
            raise UntrustedNameError("collection", ".".join(pair), problem)
        seen[key] = pair
    return folders


def policy_for(database: str, collection: str, policy_dir: Path | None) -> MaskingPolicy:
    """The platform's policies describe its own database's collections: another database's `people` is not that
    `people`, so its fields are all masked fail-closed, unless `--policy-dir` holds the policies to use."""
    if policy_dir is None and database != DATABASE:
        return MaskingPolicy.empty(collection, source=f"none for database {database!r} (--policy-dir)")
    if path_segment(collection) != collection:  # no policy file can be named after it: all fields fail-closed
        return MaskingPolicy.empty(collection, source="none (the collection's name cannot be a policy file name)")
    return load_policy(collection, policy_dir)


def choose(databases: dict[str, dict[str, CollectionSource]], names: list[str], source: str) -> list[tuple[str, str]]:
    """(database, collection) pairs to ingest: all of them, or those `names` names (`people`, or `db.people`)."""
    every = [(db, name) for db in databases for name in sorted(databases[db])]
    if not names:
        return every
    wanted = set(names)
    chosen = [(db, name) for db, name in every if name in wanted or f"{db}.{name}" in wanted]
    matched = {name for db, name in chosen} | {f"{db}.{name}" for db, name in chosen}
    missing = sorted(wanted - matched)
    if missing:
        has = [f"{db}.{name}" if len(databases) > 1 else name for db, name in every]
        raise UnknownCollectionError(f"{redact(source)} has no collection(s) {missing}; it has {has}")
    return chosen
