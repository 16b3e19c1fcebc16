"""What `apollo ingest` does, apart from parsing its options (so that it can be tested and reused)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bson import json_util

from apollo_assets.cli.errors import error_text
from apollo_assets.collections import DATABASE
from apollo_assets.errors import KnownError
from apollo_assets.ingest import BesideDataset, IngestOptions, Masking, ingest_collection
from apollo_assets.ingest.collection import needs_workers
from apollo_assets.ingest.pool import start_forkserver
from apollo_assets.ingest.sources import OpenedSource, open_source
from apollo_assets.lake import PartitionedDataset, open_location
from apollo_assets.masking import MaskingPolicy, load_masking_key, load_policy
from apollo_assets.mongo.codec import JSON_OPTIONS
from apollo_assets.mongo.live import LiveOptions, redact
from apollo_assets.mongo.oplog import OplogIndex
from apollo_assets.mongo.source import CollectionSource
from apollo_assets.names import UntrustedNameError, path_segment, printable
from apollo_assets.settings import load_settings

SYSTEM_DATABASES = frozenset(("admin", "config", "local"))
SYSTEM = "system collection"


class UnknownCollectionError(KnownError, LookupError):
    """`--collections` names a collection that the source does not have (or that is not ingested)."""


Pair = tuple[str, str]


def is_system(database: str, collection: str) -> bool:
    """MongoDB's own data: the `admin`, `config` and `local` databases, and `system.*` collections anywhere."""
    return database in SYSTEM_DATABASES or collection.startswith("system.")


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
    include_system: bool = False,
    replay_oplog: bool = True,
) -> list[str]:
    """Ingest each collection; `emit` gets its summary, `warn` what a person should know. Returns the failures.

    A backup of several databases (a whole server's dump) gives each database its own folder under `out`.
    System collections are left out unless `include_system`; they, the views and anything else the reader left
    aside get a JSON line of their own (`skipped`) and a line on stderr."""
    opened = open_source(source, database, live, replay_oplog=replay_oplog)
    databases = opened.databases
    several = len(databases) > 1
    system = {(db, name) for db in databases for name in databases[db] if is_system(db, name)}
    chosen = choose(databases, names, source, set() if include_system else system, opened.views)
    folders = output_folders(chosen, several)
    if any(needs_workers(databases[db][name], workers) for db, name in chosen):
        start_forkserver()  # the workers' server imports the pipeline while the first collections are read
    if several:
        shown = ", ".join(printable(db) for db in databases)
        warn(f"{len(databases)} databases ({shown}): each one's datasets go under {out}/<database>/")
    report_left_aside(opened, [] if names or include_system else sorted(system), emit, warn)
    settings = load_settings()
    key = load_masking_key(settings.data_dir, settings.env)
    options = IngestOptions(workers=workers, max_quarantine_share=max_quarantine_share, progress=progress)
    failures, applied = [], {}
    for db, name in chosen:
        folder, dataset_name = folders[db, name]
        location = open_location(str(out / folder if folder else out))
        label = printable(f"{db}.{name}" if several else name)
        collection = databases[db][name]
        try:
            policy = policy_for(db, name, policy_dir)
            summary = ingest_collection(
                collection,
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
        applied[db, name] = summary.provenance.get("oplog_entries_applied", 0)
        emit({"database": db, **summary.to_json()})
    if opened.oplog is not None:
        emit(oplog_summary(opened.oplog, databases, applied, failures=len(failures)))
    return failures


def report_left_aside(
    opened: OpenedSource, system: list[Pair], emit: Callable[[dict[str, Any]], None], warn: Callable[[str], None]
) -> None:
    """What is not ingested, each thing named: on stderr, and as a JSON line with `skipped`."""
    for note in opened.notes:
        warn(note)
    for aside in opened.left_aside:
        warn(f"{aside.path}: skipped: {aside.reason}")
        emit({"file": aside.path, "skipped": aside.reason})
    if system:
        shown = ", ".join(printable(f"{db}.{name}") for db, name in system)
        warn(f"skipped ({SYSTEM}, --include-system reads them): {shown}")
    for db, name in system:
        emit({"database": db, "collection": name, "skipped": SYSTEM})
    for db, views in opened.views.items():
        for name, view in sorted(views.items()):
            kind = view.get("type") or "view"
            options = view.get("options") or {}
            reason = "view" if kind == "view" else f"{kind} collection of a live cluster (read its mongodump)"
            line: dict[str, Any] = {"database": db, "collection": name, "skipped": reason}
            if kind == "view":
                line["view_on"] = options.get("viewOn")
                line["pipeline"] = json.loads(json_util.dumps(options.get("pipeline", []), json_options=JSON_OPTIONS))
                warn(f"{printable(f'{db}.{name}')}: skipped: a view on {printable(str(options.get('viewOn')))}")
            else:
                warn(f"{printable(f'{db}.{name}')}: skipped: {reason}")
            emit(line)


def oplog_summary(
    index: OplogIndex, databases: dict[str, dict[str, CollectionSource]], applied: dict[Pair, int], failures: int
) -> dict[str, Any]:
    """The oplog's line: its entries, the operations replayed on the collections ingested, and why the others
    were not (by reason, with their counts)."""
    not_replayed = dict(index.skipped)
    ingested_namespaces = set()
    for db, name in applied:
        source = databases[db][name]
        buckets = getattr(source, "buckets", None)
        ingested_namespaces.add((db, buckets.name if buckets is not None else name))
    elsewhere = sum(c.operations for ns, c in index.changes.items() if ns not in ingested_namespaces)
    if elsewhere:
        not_replayed["on collections not ingested (skipped, not chosen, or failed)"] = elsewhere
    line = {"oplog": index.path, "entries": index.entries, "operations_replayed": sum(applied.values())}
    line["not_replayed"] = not_replayed
    if failures:
        line["collections_failed"] = failures
    return line


def output_folders(chosen: list[Pair], several: bool) -> dict[Pair, Pair]:
    """(database folder, dataset folder) under `--out` of each chosen collection: names encoded as one folder name
    each (`names.path_segment`); the database folder is "" when there is one database. Two collections whose
    folders differ only in case are refused: on a case-insensitive disk they would be one folder, and each
    publication would delete the other's files."""
    folders = {(db, name): (path_segment(db) if several else "", path_segment(name)) for db, name in chosen}
    seen: dict[Pair, Pair] = {}
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
    `people`, so its fields are all masked fail-closed, unless `--policy-dir` holds the policies to use. System
    collections (credentials, sessions) are always masked fail-closed."""
    if is_system(database, collection):
        return MaskingPolicy.empty(collection, source="none for a system collection (always fail-closed)")
    if policy_dir is None and database != DATABASE:
        return MaskingPolicy.empty(collection, source=f"none for database {database!r} (--policy-dir)")
    if path_segment(collection) != collection:  # no policy file can be named after it: all fields fail-closed
        return MaskingPolicy.empty(collection, source="none (the collection's name cannot be a policy file name)")
    return load_policy(collection, policy_dir)


def choose(
    databases: dict[str, dict[str, CollectionSource]],
    names: list[str],
    source: str,
    left_out: set[Pair] | None = None,
    views: dict[str, dict[str, Any]] | None = None,
) -> list[Pair]:
    """(database, collection) pairs to ingest: all of them but `left_out`, or those `names` names (`people`, or
    `db.people`). Naming one that is left out (a system collection) or a view is an error that says so."""
    left_out = left_out or set()
    every = [(db, name) for db in databases for name in sorted(databases[db])]
    candidates = [pair for pair in every if pair not in left_out]
    if not names:
        return candidates
    wanted = set(names)

    def named(pairs: list[Pair]) -> set[str]:
        return {name for _, name in pairs} | {f"{db}.{name}" for db, name in pairs}

    chosen = [(db, name) for db, name in candidates if name in wanted or f"{db}.{name}" in wanted]
    missing = sorted(wanted - named(chosen))
    if missing:
        why = []
        if system := sorted(set(missing) & named(sorted(left_out))):
            why.append(f"{system} are system collections (--include-system reads them)")
        view_pairs = [(db, name) for db in views or {} for name in (views or {})[db]]
        if found := sorted(set(missing) & named(view_pairs)):
            why.append(f"{found} are views (definitions only, not ingested)")
        has = [f"{db}.{name}" if len(databases) > 1 else name for db, name in candidates]
        detail = f" ({'; '.join(why)})" if why else ""
        raise UnknownCollectionError(f"{redact(source)} has no collection(s) {missing}{detail}; it has {has}")
    return chosen
