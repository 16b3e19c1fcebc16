"""dbt over the stream: the stream models (tag `stream`) as one hourly-partitioned `@dbt_assets`, `warehouse_stream`.

Why a selection of its own: the batch models are partitioned by backup (`warehouse_dbt`), the stream's by event
hour, and one `@dbt_assets` has one partitions definition. The stream models' dbt sources are the stream's hourly
assets (`meta.dagster.asset_key: [stream, <topic>]`, the same partitions: an hour maps to its hour); the batch
models they read (`stg_usage_events`, `stg_emailer_messages`) map with every backup (`AllPartitionMapping`),
since an hour's events may be in any backup. An hour's run exposes the stream's committed files to the warehouse,
then `dbt build --select tag:stream --vars '{stream_hours: [...]}'` rebuilds those hours' slices; the models' dbt
tests are the assets' checks.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from apollo_assets.lake.resource import LakeResource
from apollo_assets.pools import WAREHOUSE
from apollo_assets.stream.assets import STREAM_FRESHNESS, STREAM_GROUP, STREAM_HOURS
from apollo_assets.stream.progress import PARTITION_KEY
from apollo_assets.stream.topics import TOPICS, dataset_name
from apollo_assets.warehouse.dbt_project import WarehouseTranslator
from apollo_assets.warehouse.interface import Warehouse
from apollo_assets.warehouse.stream_tables import HOUR_FOLDER, StreamTable
from apollo_assets.warehouse.versions import environment

STREAM_TAG = "stream"
STREAM_DBT = "warehouse_stream"
STREAM_WAREHOUSE_JOB = "stream_warehouse"
STREAM_TABLES = [StreamTable(f"stream_{name}", dataset_name(name), t.event_time) for name, t in TOPICS.items()]


def stream_hours(partition_keys: Sequence[str]) -> list[datetime]:
    """The UTC hours of Dagster hourly partition keys (`2026-11-27-10:00`), checked: they reach SQL text."""
    return sorted(datetime.strptime(k, PARTITION_KEY).replace(tzinfo=UTC) for k in partition_keys)


def stream_vars(hours: Sequence[datetime]) -> str:
    """`stream_hours` for dbt (`macros/stream_hours.sql`): naive UTC `YYYY-MM-DD HH:00:00`."""
    return json.dumps({"stream_hours": [h.astimezone(UTC).strftime("%Y-%m-%d %H:00:00") for h in hours]})


class StreamTranslator(WarehouseTranslator):
    """As the warehouse's, in the stream's group (kept out of the backup job) with the stream's freshness, and a batch
    model upstream of a stream model maps with every backup."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return STREAM_GROUP

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("source."):
            return spec
        return spec.replace_attributes(freshness_policy=STREAM_FRESHNESS)  # hours behind, not days

    def get_partition_mapping(
        self, dbt_resource_props: Mapping[str, Any], dbt_parent_resource_props: Mapping[str, Any]
    ) -> dg.PartitionMapping | None:
        parent = dbt_parent_resource_props
        if parent["resource_type"] == "model" and STREAM_TAG not in parent.get("tags", []):
            return dg.AllPartitionMapping()
        return super().get_partition_mapping(dbt_resource_props, dbt_parent_resource_props)


def build_stream_warehouse_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        select=f"tag:{STREAM_TAG}",
        partitions_def=STREAM_HOURS,
        dagster_dbt_translator=StreamTranslator(),
        name=STREAM_DBT,
        pool=WAREHOUSE,  # one writer of the warehouse at a time (DuckDB: one file), batch or stream
    )
    def warehouse_stream(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: dg.ResourceParam[Warehouse],
        lake: LakeResource,
    ) -> Iterator[Any]:
        hours = stream_hours(context.partition_keys)
        exposed = warehouse.expose_stream(lake, STREAM_TABLES, [h.strftime(HOUR_FOLDER) for h in hours])
        context.log.info(f"Stream exposed to the warehouse {exposed}; building hours {hours[0]} … {hours[-1]}")
        with environment(warehouse.dbt_environment()):
            invocation = dbt.cli(["build", "--vars", stream_vars(hours)], context=context)
            yield from invocation.stream().fetch_row_counts()

    return warehouse_stream
