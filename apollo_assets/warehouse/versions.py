"""The Dagster side of the versioned warehouse (dbt/README.md, "Versions, not copies").

A backup is computed against the one before it, so building an old backup again (a fixed backup file, a
masking-policy change) makes dbt rebuild every later backup the warehouse holds too. The run then reports those
later partitions as materialized by it (metadata `rebuilt_after`): Dagster shows each partition's dependency on the
one before in the history of its materializations, and the automation takes their downstream assets from there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtProject

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.names import backup_id as checked_backup_id
from apollo_assets.warehouse.dbt_manifest import model_nodes
from apollo_assets.warehouse.interface import Warehouse

BACKUP_IDS_ENV = "APOLLO_BACKUP_IDS"


def dbt_environment(project: DbtProject, backup_ids: list[str]) -> dict[str, str]:
    """What the dbt step adds to dbt's environment:
    - the run's backups, a JSON list read by the models when they run (dbt/macros/backups.sql). The models put the
      ids in SQL text: each must be exactly a backup id (a partition key may be added by hand). Not `--vars`: dbt
      parses the whole project again whenever they change, i.e. at every partition run;
    - the project's target folder, where dagster-dbt looks for the partial-parse file to start from (the one
      written with the manifest it was given), instead of `dbt/target`, where there is none."""
    return {
        BACKUP_IDS_ENV: backup_ids_value(backup_ids),
        "DBT_TARGET_PATH": str(Path(project.project_dir) / project.target_path),
    }


def backup_ids_value(backup_ids: list[str]) -> str:
    """`APOLLO_BACKUP_IDS`: a JSON list of exactly backup ids (refused otherwise: the models put them in SQL text)."""
    return json.dumps([checked_backup_id(b) for b in backup_ids])


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in os.environ meanwhile (dagster-dbt passes its process's environment to dbt's)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def registry_relation(relation: str) -> str:
    """The table listing the backups a versioned model holds (`<model>__backups`), from the model's relation."""
    if relation.endswith('"'):
        return relation[:-1] + '__backups"'
    return relation + "__backups"


def later_backups(warehouse: Warehouse, model: str, backup_ids: list[str]) -> list[str]:
    """The backups after the run's first that `model` holds besides the run's own: dbt rebuilt them too."""
    held = warehouse.query(f"select backup_id from {registry_relation(warehouse.relation(model))}")
    return sorted({str(row[0]) for row in held if str(row[0]) > backup_ids[0]} - set(backup_ids))


def versioned_models(manifest_path: Path) -> set[str]:
    """The models of the manifest stored as versions (materialization `backup_versions`)."""
    nodes = model_nodes(manifest_path).values()
    return {
        n["name"] for n in nodes if n["resource_type"] == "model" and n["config"]["materialized"] == "backup_versions"
    }


def rebuilt_later(
    context: dg.AssetExecutionContext, warehouse: Warehouse, versioned: set[str], backup_ids: list[str]
) -> Iterator[dg.AssetMaterialization]:
    """A materialization of each selected model for each later backup dbt rebuilt with the run's (none when the
    run's backups are the newest, the usual case: then the warehouse is not even asked)."""
    partitions = context.instance.get_dynamic_partitions(backup_partitions.name)
    if not any(p > backup_ids[0] and p not in backup_ids for p in partitions):
        return
    for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
        if key.path[0] != "warehouse" or key.path[-1] not in versioned:
            continue
        for backup_id in later_backups(warehouse, key.path[-1], backup_ids):
            yield dg.AssetMaterialization(key, partition=backup_id, metadata={"rebuilt_after": backup_ids[0]})
