"""Declarative automation: a snapshot's update flows down to the lake, warehouse and models of its backup by itself,
and the backup sensor's whole-graph run is never repeated by it."""

from __future__ import annotations

import dagster as dg
import pytest

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.operations.automation import AUTOMATION_SENSOR, DOWNSTREAM_CONDITION, with_automation
from apollo_assets.stream.assets import STREAM_GROUP
from tests import tiers

P, Q = "20261101T040000Z", "20261102T040000Z"


def test_every_layer_below_the_snapshots_is_automated(platform_defs):
    specs = list(platform_defs.resolve_all_asset_specs())
    assert {s.key.path[0] for s in specs} == {"mongo", "lake", "warehouse", "ml", "stream"}
    for spec in specs:
        # Snapshots follow the backup sensor; the stream's hours (its datasets and its dbt models, group `stream`)
        # their own sensors (the consumer's watermark).
        sensor_driven = spec.key.path[0] in ("mongo", "stream") or spec.group_name == STREAM_GROUP
        expected = None if sensor_driven else DOWNSTREAM_CONDITION
        assert spec.automation_condition == expected, spec.key
    sensor = platform_defs.resolve_sensor_def(AUTOMATION_SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.asset_selection.resolve(platform_defs.resolve_asset_graph()) == {s.key for s in specs}


def stub(key: list[str], deps: list[list[str]] | None = None) -> dg.AssetsDefinition:
    @dg.asset(key=key, deps=[dg.AssetKey(d) for d in deps or []], partitions_def=backup_partitions)
    def _stub() -> None:
        pass

    return _stub


# The platform's shape in miniature (collection → lake → warehouse → model), with the platform's conditions.
ASSETS = with_automation(
    [
        stub(["mongo", "people"]),
        stub(["mongo", "organizations"]),
        stub(["lake", "people"], [["mongo", "people"]]),
        stub(["lake", "organizations"], [["mongo", "organizations"]]),
        stub(["warehouse", "people"], [["lake", "people"], ["lake", "organizations"]]),
        stub(["ml", "reply_propensity"], [["warehouse", "people"]]),
    ]
)
DEFS = dg.Definitions(assets=ASSETS)
DOWNSTREAM_OF_PEOPLE = {("lake", "people"), ("warehouse", "people"), ("ml", "reply_propensity")}


class Ticks:
    """The automation sensor's evaluations, one after the other, with its cursor."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance, self.cursor = instance, None

    def tick(self) -> dict[tuple[str, ...], set[str]]:
        result = dg.evaluate_automation_conditions(defs=DEFS, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        requested = {}
        for key in DEFS.resolve_asset_graph().get_all_asset_keys():
            partitions = result.get_requested_partitions(key)
            if partitions:
                requested[tuple(key.path)] = set(partitions)
        return requested


@pytest.fixture
@tiers.integration  # runs in an instance and the automation daemon's evaluations of them
def ticks(test_instance):
    test_instance.add_dynamic_partitions("backups", [P])
    ticks = Ticks(test_instance)
    assert ticks.tick() == {}  # nothing to do before the snapshots exist
    return ticks


def materialize(instance, keys: list[list[str]] | None, partition: str) -> None:
    """One run over `keys` (None: the whole graph, like the backup sensor's run)."""
    selection = ASSETS if keys is None else [a for a in ASSETS if list(a.key.path) in keys]
    assert dg.materialize(selection, partition_key=partition, instance=instance).success


def test_the_backup_sensors_whole_graph_run_is_not_repeated(ticks):
    materialize(ticks.instance, None, P)
    assert ticks.tick() == {}
    assert ticks.tick() == {}


def test_a_snapshot_update_propagates_down_its_backup_only(ticks):
    ticks.instance.add_dynamic_partitions("backups", [Q])
    materialize(ticks.instance, None, P)
    materialize(ticks.instance, None, Q)
    assert ticks.tick() == {}

    materialize(ticks.instance, [["mongo", "people"]], P)  # e.g. an operator re-reads one collection of P

    assert ticks.tick() == {key: {P} for key in DOWNSTREAM_OF_PEOPLE}
    materialize(ticks.instance, [list(k) for k in DOWNSTREAM_OF_PEOPLE], P)  # the run automation asked for
    assert ticks.tick() == {}


def test_a_new_backup_whose_snapshots_land_alone_is_completed(ticks):
    # If snapshots are materialized without their downstream (a sensor run cut short, a backfill of one layer),
    # automation finishes the backup's graph once every snapshot it needs is there.
    materialize(ticks.instance, [["mongo", "people"]], P)
    assert ticks.tick() == {("lake", "people"): {P}}  # the warehouse still waits for organizations
    materialize(ticks.instance, [["lake", "people"]], P)
    materialize(ticks.instance, [["mongo", "organizations"]], P)
    requested = ticks.tick()
    assert requested == {("lake", "organizations"): {P}, ("warehouse", "people"): {P}, ("ml", "reply_propensity"): {P}}
