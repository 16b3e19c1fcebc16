"""Declarative automation: every layer below the snapshots follows its upstream on its own.

The backup sensor runs the whole graph for a new backup in one run (one dbt invocation per backup, one place to
look). `eager` on the lake, warehouse and model assets then propagates every other upstream change — a snapshot
re-materialized by hand, a backfill of one layer, a step that failed and was re-run — down to the marts and models,
with no job written for it. It never repeats the sensor's run: a parent updated by a run that also targeted the
child does not count (`any_deps_updated` ignores it), and the child's own materialization resets `since_last_handled`.
"""

from collections.abc import Iterable, Sequence

import dagster as dg

AUTOMATION_SENSOR = "automation_sensor"
DOWNSTREAM_CONDITION = dg.AutomationCondition.eager()
# Snapshots have no condition: only a new backup (the sensor) or an operator decides to read the bucket again.
SENSOR_DRIVEN_LAYERS = ("mongo",)


def automated(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with the layer's condition (an explicit condition set by the asset's owner wins)."""
    if spec.key.path[0] in SENSOR_DRIVEN_LAYERS or spec.automation_condition is not None:
        return spec
    return spec.replace_attributes(automation_condition=DOWNSTREAM_CONDITION)


def with_automation(assets: Iterable[dg.AssetsDefinition]) -> Sequence[dg.AssetsDefinition]:
    return dg.map_asset_specs(automated, list(assets))


automation_sensor = dg.AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR,
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the assets' automation conditions: the lake, warehouse and models follow their upstream.",
)
