"""dbt builds the warehouse for the backup partitions of the run, after the lake is exposed to it."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.lake.resource import LakeResource
from apollo_assets.pools import WAREHOUSE
from apollo_assets.warehouse.dbt_project import WarehouseTranslator
from apollo_assets.warehouse.interface import Warehouse
from apollo_assets.warehouse.mart_metadata import with_mart_metadata
from apollo_assets.warehouse.versions import dbt_environment, environment, rebuilt_later, versioned_models


def build_warehouse_assets(project: DbtProject) -> dg.AssetsDefinition:
    versioned = versioned_models(project.manifest_path)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        partitions_def=backup_partitions,
        dagster_dbt_translator=WarehouseTranslator(),
        # The stream's models (tag `stream`) are sliced by hour, not backup: their own asset, `warehouse_stream`.
        exclude="tag:stream",
        # No backfill policy, like every other asset: the `backup_pipeline` job holds every layer, and a job whose
        # assets' policies differ is run one partition at a time all the same (Dagster 1.13 says so with a warning
        # each time it loads the job). A backfill of several backups therefore runs dbt once per backup; the models
        # still build any list of backups in one invocation (a run over a partition range passes them all).
        name="warehouse_dbt",
        pool=WAREHOUSE,
    )
    def warehouse_dbt(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: dg.ResourceParam[Warehouse],  # DuckDBWarehouse locally, SnowflakeWarehouse in production
        lake: LakeResource,
    ) -> Iterator[Any]:
        backup_ids = sorted(context.partition_keys)
        # Only the run's backups are (re)loaded: other backups' raw rows stay as they are.
        exposed = warehouse.expose_lake(lake, backup_ids)
        context.log.info(f"Lake exposed to the warehouse {exposed}; building {backup_ids}")

        def model_of(output_name: str) -> str | None:
            key = context.asset_key_for_output(output_name)
            return key.path[-1] if key.path[0] == "warehouse" else None

        # dbt (and dagster-dbt's row counts, in this process) read the warehouse's location and the run's backups
        # from the environment (`dbt_environment`: why not `--vars`).
        with environment({**warehouse.dbt_environment(), **dbt_environment(project, backup_ids)}):
            invocation = dbt.cli(["build"], context=context)
            events = invocation.stream().fetch_row_counts()
            # The marts' headline numbers are those of the newest backup the run built.
            yield from with_mart_metadata(events, model_of, warehouse, backup_ids[-1], context.log)
        for materialization in rebuilt_later(context, warehouse, versioned, backup_ids):
            context.log_event(materialization)

    return warehouse_dbt
