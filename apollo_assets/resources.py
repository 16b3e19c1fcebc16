"""The resources of each environment: the asset graph is the same, only these differ."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.resource import MaskingKeyResource
from apollo_assets.mongo.live_resource import cluster_resource
from apollo_assets.settings import Settings
from apollo_assets.stream.resource import StreamKafkaResource
from apollo_assets.warehouse.resource import DuckDBWarehouse
from ml_assets.definitions import ModelRegistryResource


def dbt_target(settings: Settings) -> str:
    return "snowflake" if settings.is_prod else "duckdb"


def dbt_executable() -> str:
    """dbt from this environment, even when the caller's PATH does not include the virtualenv."""
    return shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")


def build_resources(settings: Settings, project: DbtProject) -> dict[str, dg.ConfigurableResource]:
    """Locations come from the settings (gs:// URLs in prod: the same lake code reads them through gcsfs);
    secrets stay `dg.EnvVar`s, resolved when a step starts, never copied into config."""
    resources: dict[str, dg.ConfigurableResource] = {
        "backup_bucket": BackupBucketResource(url=settings.backup_url),
        "lake": LakeResource(
            snapshot_url=settings.snapshot_url, lake_url=settings.lake_url, grace_minutes=settings.lake_grace_minutes
        ),
        "model_registry": ModelRegistryResource(root=str(settings.ml_dir / "registry")),
        "mongo_cluster": cluster_resource(os.environ),
        "stream_kafka": StreamKafkaResource(),
        "dbt": DbtCliResource(project_dir=project, target=dbt_target(settings), dbt_executable=dbt_executable()),
    }
    warehouse = warehouse_resource(settings, str(project.manifest_path))
    if settings.is_prod:
        return resources | {
            "masking_key": MaskingKeyResource(
                data_dir=str(settings.data_dir), env="prod", key=dg.EnvVar("APOLLO_MASKING_KEY")
            ),
            "warehouse": warehouse,
        }
    return resources | {
        "masking_key": MaskingKeyResource(data_dir=str(settings.data_dir), env=settings.env),
        "warehouse": warehouse,
    }


def warehouse_resource(settings: Settings, dbt_manifest: str) -> dg.ConfigurableResource:
    """DuckDB under APOLLO_DATA_DIR locally, Snowflake in production (also what the dashboards read)."""
    if settings.is_prod:
        from apollo_assets.warehouse.snowflake.prod import production_warehouse  # Snowflake libraries: prod only

        return production_warehouse(dbt_manifest, os.environ)
    return DuckDBWarehouse(path=str(settings.warehouse_path), dbt_manifest=dbt_manifest)
