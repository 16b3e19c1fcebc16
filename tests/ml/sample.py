"""One sample platform for the whole test session, shared by tests/ml and tests/service: a generated backup in
the masked lake's shape (tests/warehouse's builder), the real dbt project built over it, and the model assets
materialized once (MLflow included). Module-level cache: each directory's conftest asks for it, dbt runs once."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from warehouse.conftest import Warehouse, new_warehouse  # tests/warehouse: the lake builder and dbt runner

from apollo_assets.sample_data import Sizes, backup_id_for, generate_database
from apollo_assets.sample_data.timeutil import DEFAULT_START
from apollo_assets.warehouse.resource import DuckDBWarehouse
from ml_assets.definitions import ModelRegistryResource, model_assets

SEED = 7


@dataclass
class SamplePlatform:
    root: Path
    backup_id: str
    database: dict[str, list[dict[str, Any]]]
    warehouse: Warehouse
    registry_root: Path
    mlflow_uri: str
    result: dg.ExecuteInProcessResult

    @property
    def serving_path(self) -> Path:
        """A copy of the warehouse for readers: dbt's in-process DuckDB instance keeps the original open read-write,
        and DuckDB refuses a read-only open of a file this process already holds with another configuration."""
        return self.root / "serving" / "warehouse.duckdb"

    @property
    def manifest(self) -> Path:
        return self.warehouse.dbt_work / "target" / "manifest.json"

    def resources(self, registry_root: Path | None = None, warehouse_path: Path | None = None) -> dict[str, Any]:
        return {
            "warehouse": DuckDBWarehouse(
                path=str(warehouse_path or self.serving_path), dbt_manifest=str(self.manifest)
            ),
            "model_registry": ModelRegistryResource(
                root=str(registry_root or self.registry_root), tracking_uri=self.mlflow_uri
            ),
        }


_built: dict[str, SamplePlatform] = {}


def sample_platform(factory: pytest.TempPathFactory) -> SamplePlatform:
    if "platform" not in _built:
        _built["platform"] = _build(factory.mktemp("ml-platform"))
    return _built["platform"]


def materialize(
    platform: SamplePlatform, assets: list, instance: dg.DagsterInstance | None = None, **resources: Any
) -> dg.ExecuteInProcessResult:
    instance = instance or dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("backups", [platform.backup_id])
    return dg.materialize(
        assets,
        partition_key=platform.backup_id,
        instance=instance,
        resources=platform.resources(**resources),
        raise_on_error=False,
    )


def _build(root: Path) -> SamplePlatform:
    backup_id = backup_id_for(DEFAULT_START)
    database = generate_database(seed=SEED, generation=0, sizes=Sizes())
    warehouse = new_warehouse(root / "warehouse", root / "dbt", mode="view")
    warehouse.lake.load(backup_id, database)
    warehouse.build(backup_ids=[backup_id])
    platform = SamplePlatform(
        root, backup_id, database, warehouse, root / "registry", f"sqlite:///{root / 'mlflow' / 'mlflow.db'}", None
    )  # type: ignore[arg-type]
    platform.serving_path.parent.mkdir()
    for suffix in ("", ".wal"):  # the WAL may hold the last writes, not yet checkpointed
        source = warehouse.path.with_name(warehouse.path.name + suffix)
        if source.exists():
            shutil.copy(source, platform.serving_path.with_name(platform.serving_path.name + suffix))
    with duckdb.connect(str(platform.serving_path)) as con:
        con.execute("checkpoint")  # fold the WAL in: the copy is then one self-contained file
    platform.result = materialize(platform, model_assets)
    return platform
