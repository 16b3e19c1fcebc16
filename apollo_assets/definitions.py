"""Assembles the platform's Definitions for APOLLO_ENV; nothing else lives here."""

from __future__ import annotations

import functools

import dagster as dg

from apollo_assets.backups.attempts import run_retries_from_env
from apollo_assets.ingest.assets import snapshot_assets
from apollo_assets.masking.assets import lake_assets
from apollo_assets.operations.automation import automation_sensor, with_automation
from apollo_assets.operations.backup_sensor import build_backup_sensor
from apollo_assets.operations.failures import run_failure_alerts
from apollo_assets.operations.retention import retention_from_env
from apollo_assets.operations.schedule import build_fallback_schedule
from apollo_assets.pools import RUN_LIMITS
from apollo_assets.resources import build_resources, dbt_target
from apollo_assets.run_log import RUN_LOGGERS
from apollo_assets.settings import Settings, load_settings
from apollo_assets.stream.assets import STREAM_GROUP, STREAM_HOURS, stream_assets
from apollo_assets.stream.sensor import build_stream_warehouse_sensor, stream_hour_sensor
from apollo_assets.stream.warehouse_assets import STREAM_WAREHOUSE_JOB, build_stream_warehouse_assets
from apollo_assets.warehouse.assets import build_warehouse_assets
from apollo_assets.warehouse.dbt_project import build_dbt_project
from apollo_assets.warehouse.pii_checks import build_warehouse_pii_checks
from ml_assets.definitions import model_assets

PIPELINE_JOB = "backup_pipeline"
# Each step in its own process, forked from a server that has already imported the definitions: a step starts in
# milliseconds instead of re-importing dagster, dbt and scikit-learn. In production, dagster-k8s' executor takes
# its place (README: "Running on Kubernetes").
STEP_EXECUTOR = dg.multiprocess_executor.configured(
    {
        "max_concurrent": 2,
        "tag_concurrency_limits": RUN_LIMITS,
        "start_method": {"forkserver": {"preload_modules": ["apollo_assets.step_preload"]}},
    }
)


def build_definitions(settings: Settings) -> dg.Definitions:
    project = build_dbt_project(dbt_target(settings))
    pipeline = dg.define_asset_job(
        PIPELINE_JOB,
        # The stream's hourly assets (its lake datasets and dbt models) are not a backup's: their own sensors
        # materialize them.
        selection=dg.AssetSelection.all() - dg.AssetSelection.groups(STREAM_GROUP),
        description="Everything a backup feeds: snapshots, the masked lake, the warehouse, the marts and the models.",
    )
    warehouse = build_warehouse_assets(project)
    stream_warehouse = build_stream_warehouse_assets(project)
    stream_warehouse_job = dg.define_asset_job(
        STREAM_WAREHOUSE_JOB,
        selection=dg.AssetSelection.assets(stream_warehouse),
        partitions_def=STREAM_HOURS,
        description="The stream's dbt models (staging, the hourly engagement mart) for an event hour.",
    )
    assets = with_automation([*snapshot_assets, *lake_assets, warehouse, *model_assets])
    return dg.Definitions(
        assets=[*assets, *stream_assets, stream_warehouse],
        asset_checks=[build_warehouse_pii_checks(warehouse)],
        jobs=[pipeline, stream_warehouse_job],
        sensors=[
            build_backup_sensor(PIPELINE_JOB, retention_from_env(), retries=run_retries_from_env()),
            automation_sensor,
            run_failure_alerts,
            stream_hour_sensor,
            build_stream_warehouse_sensor(stream_warehouse_job.name),
        ],
        schedules=[build_fallback_schedule(PIPELINE_JOB, [key for a in assets for key in a.keys])],
        resources=build_resources(settings, project),
        executor=STEP_EXECUTOR,
        loggers=RUN_LOGGERS,
    )


@functools.cache
def _definitions_for(settings: Settings) -> dg.Definitions:
    return build_definitions(settings)


def current_definitions() -> dg.Definitions:
    """The definitions for the environment as it is now (a process may change APOLLO_DATA_DIR after import)."""
    return _definitions_for(load_settings())


defs = current_definitions()
