"""The same deployment through GraphQL: dagster-graphql's Python client launches a partitioned run and polls it to
success, automation carries the new snapshot on to the lake, and a backfill of two old backups recomputes exactly
those (a run per backup, the Python layers under the one-slot ingest pool)."""

from __future__ import annotations

import itertools

import pytest
from dagster_graphql import DagsterGraphQLClient

from tests.e2e.conftest import stop_instigator, wait_for
from tests.e2e.queries import BACKFILL, LAUNCH_BACKFILL, MATERIALIZATIONS, RUN

pytestmark = pytest.mark.timeout(3600)  # a shared deployment, runs that start in minutes on a busy 2-core machine
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def run(deployment, run_id: str) -> dict:
    return deployment.graphql(RUN, {"id": run_id})["runOrError"]


def materializations(deployment, path: list[str], partitions: list[str]) -> list[dict]:
    data = deployment.graphql(MATERIALIZATIONS, {"key": {"path": path}, "partitions": partitions})
    return data["assetOrError"]["assetMaterializations"]


def test_client_launches_a_partitioned_run_and_automation_follows(deployment):
    backup = deployment.backups[1]
    client = DagsterGraphQLClient("127.0.0.1", port_number=deployment.port)
    run_id = client.submit_job_execution(
        "backup_pipeline", op_selection=["mongo__users"], tags={"dagster/partition": backup}
    )
    status = wait_for(lambda: (s := client.get_run_status(run_id).value) in FINISHED and s, 1800, "client run")
    assert status == "SUCCESS"
    assert [m["runId"] for m in materializations(deployment, ["mongo", "users"], [backup])] == [run_id]

    # No job was written for it: the automation sensor notices the new snapshot and runs the lake after it.
    lake = wait_for(lambda: materializations(deployment, ["lake", "users"], [backup]), 1800, "lake/users by automation")
    tags = {t["key"]: t["value"] for t in run(deployment, lake[0]["runId"])["tags"]}
    assert tags["dagster/sensor_name"] == "automation_sensor" and tags["dagster/partition"] == backup


def backfill(deployment, partitions: list[str], selection: list[list[str]]) -> list[dict]:
    """Launch a backfill as the UI does, wait for it to finish, return its runs."""
    params = {"partitionNames": partitions, "assetSelection": [{"path": p} for p in selection]}
    launched = deployment.graphql(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched

    def finished():
        found = deployment.graphql(BACKFILL, {"id": launched["backfillId"]})["partitionBackfillOrError"]
        return found if found["status"] not in ("REQUESTED", "CANCELING", "FAILING") else None

    done = wait_for(finished, 2400, "backfill", every=10)
    runs = [run(deployment, r["runId"]) for r in done["runs"]]
    assert done["status"] in ("COMPLETED_SUCCESS", "COMPLETED") and all(r["status"] == "SUCCESS" for r in runs), done
    return runs


def written(runs: list[dict]) -> set[tuple[tuple[str, ...], str]]:
    return {(tuple(m["assetKey"]["path"]), m["partition"]) for r in runs for m in r["assetMaterializations"]}


def tags(run: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in run["tags"]}


def test_backfills_recompute_exactly_the_chosen_backups(deployment):
    # Automation would follow each backfilled snapshot with runs of its own (checked above): paused here, as an
    # operator pauses it around a large backfill, so that only the backfills' runs take the pools.
    stop_instigator(deployment, "sensor", "automation_sensor")
    old, older = deployment.backups[0], deployment.backups[1]
    newest_before = materializations(deployment, ["mongo", "organizations"], [deployment.backups[2]])

    ingest = [["mongo", "organizations"], ["lake", "organizations"]]
    runs = backfill(deployment, [old, older], ingest)
    assert written(runs) == {(tuple(p), b) for p in ingest for b in (old, older)}  # exactly those, once each
    assert sorted(tags(r).get("dagster/partition") for r in runs) == sorted([old, older])  # a run per backup
    steps = sorted(
        (s["startTime"], s["endTime"], s["stepKey"]) for r in runs for s in r["stepStats"] if s["stepKey"] != "-"
    )
    assert len(steps) == 4
    for (_, end, step), (start, _, following) in itertools.pairwise(steps):
        assert end <= start, f"{step} and {following} ran at once despite the one-slot ingest pool"

    warehouse = [["warehouse", "stg_organizations"], ["warehouse", "stg_accounts"]]
    dbt_runs = backfill(deployment, [old, older], warehouse)  # no backfill policy: a dbt run per backup
    assert written(dbt_runs) == {(tuple(p), b) for p in warehouse for b in (old, older)}
    assert sorted(tags(r).get("dagster/partition") for r in dbt_runs) == sorted([old, older])
    # The newest backup, not chosen, was not recomputed.
    assert materializations(deployment, ["mongo", "organizations"], [deployment.backups[2]]) == newest_before
