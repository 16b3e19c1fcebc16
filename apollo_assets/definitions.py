"""Assembles the platform's Definitions for APOLLO_ENV; nothing else lives here."""

from __future__ import annotations

import os

import dagster as dg

from apollo_assets.backups.sensor import build_backup_sensor
from apollo_assets.masking.assets import lake_assets
from apollo_assets.mongo.assets import snapshot_assets
from apollo_assets.resources import build_resources, dbt_target
from apollo_assets.settings import Settings, load_settings
from apollo_assets.warehouse.assets import build_warehouse_assets
from apollo_assets.warehouse.dbt_project import build_dbt_project
from ml_assets.assets import model_assets

PIPELINE_JOB = "backup_pipeline"
# Each step in its own process, forked from a server that has already imported the definitions: a step starts in
# milliseconds instead of re-importing dagster, dbt and scikit-learn. In production, dagster-k8s' executor takes
# its place (README: "Running on Kubernetes").
STEP_EXECUTOR = dg.multiprocess_executor.configured(
    {"max_concurrent": 2, "start_method": {"forkserver": {"preload_modules": [__name__]}}}
)


def build_definitions(settings: Settings) -> dg.Definitions:
    # dbt's profile reads the warehouse location from the environment, so that it is the one the platform uses.
    os.environ["APOLLO_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    project = build_dbt_project(dbt_target(settings))
    pipeline = dg.define_asset_job(
        PIPELINE_JOB,
        selection=dg.AssetSelection.all(),
        description="Everything a backup feeds: snapshots, the masked lake, the warehouse, the marts and the models.",
    )
    return dg.Definitions(
        assets=[*snapshot_assets, *lake_assets, build_warehouse_assets(project), *model_assets],
        jobs=[pipeline],
        sensors=[build_backup_sensor(PIPELINE_JOB)],
        resources=build_resources(settings, project),
        executor=STEP_EXECUTOR,
    )


defs = build_definitions(load_settings())
