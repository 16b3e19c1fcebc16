"""The `lake/<collection>` asset checks, then publishes: a partition whose staged files hold personal data fails its
blocking check and its step, is never published, and the warehouse (`expose_lake`) never reads it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from apollo_assets.backups.partitions import backup_partitions
from apollo_assets.collections import COLLECTIONS
from apollo_assets.lake import PartitionNotFoundError
from apollo_assets.lake.resource import LakeResource
from apollo_assets.masking.assets import LEAK_CHECK, lake_assets
from apollo_assets.masking.resource import MaskingKeyResource
from apollo_assets.warehouse.resource import DuckDBWarehouse

BACKUP, NEW_BACKUP = "20261126T040000Z", "20261127T040000Z"
PEOPLE = dg.AssetKey(["lake", "people"])
LEAKED = "ada.lovelace@example.com"


def snapshot(backup_id: str, titles: list[str]) -> pa.Table:
    n = len(titles)
    return pa.table(
        {
            "_id": [f"{i:024x}" for i in range(n)],
            "first_name": ["Ada"] * n,
            "email": [f"person{i}@example.com" for i in range(n)],
            "title": titles,  # kept by the people policy: whatever it holds reaches the lake unmasked
            "_backup_id": [backup_id] * n,
        }
    )


CLEAN = ["Engineer", "Analyst", "Director"]
LEAKY = ["Engineer", f"write to {LEAKED}", "Director"]


@dg.asset(deps=[PEOPLE], partitions_def=backup_partitions)
def downstream_of_people() -> None:
    """Stands for the warehouse: it must not run after a failed check."""


@pytest.fixture
def resources(tmp_path: Path) -> dict:
    return {
        "lake": LakeResource(snapshot_url=str(tmp_path / "snapshots"), lake_url=str(tmp_path / "lake")),
        "masking_key": MaskingKeyResource(data_dir=str(tmp_path)),
    }


def materialize(resources: dict, instance: dg.DagsterInstance, backup_id: str) -> dg.ExecuteInProcessResult:
    instance.add_dynamic_partitions("backups", [backup_id])
    people = next(a for a in lake_assets if a.key == PEOPLE)
    return dg.materialize(
        [people, downstream_of_people],
        partition_key=backup_id,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )


def check_evaluation(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == LEAK_CHECK]
    return evaluation


@pytest.mark.integration  # Dagster runs
def test_a_leaking_partition_fails_its_check_and_leaves_the_previous_version_published(resources, tmp_path):
    lake = resources["lake"]
    snapshot_people, lake_people = lake.snapshot("people"), lake.masked("people")
    table = snapshot(BACKUP, CLEAN)
    snapshot_people.write(BACKUP, table.schema, table.to_batches())
    with dg.instance_for_test() as instance:
        first = materialize(resources, instance, BACKUP)
        assert first.success
        assert check_evaluation(first).passed
        published = lake_people.current(BACKUP)

        table = snapshot(BACKUP, LEAKY)  # the backup's snapshot taken again, now with a value the policy keeps
        snapshot_people.write(BACKUP, table.schema, table.to_batches())
        second = materialize(resources, instance, BACKUP)
        logged = "\n".join(
            str(r.event_log_entry)
            for r in instance.get_event_records(dg.EventRecordsFilter(event_type=dg.DagsterEventType.STEP_FAILURE))
        )

    assert not second.success
    evaluation = check_evaluation(second)
    assert not evaluation.passed and evaluation.blocking
    assert evaluation.metadata["findings"].value == {"title": {"email": 1}}
    assert evaluation.metadata["rows_scanned"].value == 3
    (failure,) = [e for e in second.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "not published" in failure.message + str(failure.step_failure_data.user_failure_data)
    assert "STEP_UP_FOR_RETRY" not in [e.event_type_value for e in second.all_events]  # the data would not change
    assert not second.asset_materializations_for_node("downstream_of_people")
    assert LEAKED not in logged and "write to" not in logged

    assert lake_people.current(BACKUP) == published  # the previous version stays, and nothing else is left
    versions = [p.name for p in Path(lake_people.partition_path(BACKUP)).iterdir() if p.name.startswith("v=")]
    assert versions == [f"v={published.version}"]
    assert lake_people.read(BACKUP).column("title").to_pylist() == CLEAN


@pytest.mark.integration  # Dagster runs
def test_a_partition_that_failed_its_check_is_never_exposed_to_the_warehouse(resources, tmp_path):
    lake = resources["lake"]
    clean, leaky = snapshot(BACKUP, CLEAN), snapshot(NEW_BACKUP, LEAKY)
    lake.snapshot("people").write(BACKUP, clean.schema, clean.to_batches())
    lake.snapshot("people").write(NEW_BACKUP, leaky.schema, leaky.to_batches())
    other = pa.table({"_id": ["x"], "_backup_id": [BACKUP]})
    for collection in COLLECTIONS:  # the warehouse exposes every collection: give the others a partition
        if collection != "people":
            lake.masked(collection).write(BACKUP, other.schema, other.to_batches())
    with dg.instance_for_test() as instance:
        assert materialize(resources, instance, BACKUP).success
        assert not materialize(resources, instance, NEW_BACKUP).success

    assert lake.masked("people").partitions() == [BACKUP]
    warehouse = DuckDBWarehouse(path=str(tmp_path / "warehouse.duckdb"), dbt_manifest=str(tmp_path / "none.json"))
    assert warehouse.expose_lake(lake, [BACKUP, NEW_BACKUP])["people"] == 1  # one file: the clean partition's
    rows = warehouse.query("select _backup_id, title from lake.people order by _id")
    assert rows == [(BACKUP, title) for title in CLEAN]
    with pytest.raises(PartitionNotFoundError):
        lake.masked("people").files(NEW_BACKUP)
