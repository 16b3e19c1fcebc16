"""Freshness: the real policies, evaluated by Dagster's freshness daemon, read back through GraphQL and the instance:
a snapshot that goes a day without a new backup fails, and a fresh materialization brings it back."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon
from dagster_graphql.test.utils import execute_dagster_graphql

BACKUP = "20261101T040000Z"
PEOPLE = dg.AssetKey(["mongo", "people"])
HOUR = 3600
QUERY = """
query Freshness($keys: [AssetKeyInput!]) {
  assetNodes(assetKeys: $keys) { assetKey { path } freshnessStatusInfo { freshnessStatus } }
}"""


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("APOLLO_DATA_DIR", str(tmp_path))
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            module_name="apollo_assets.definitions", attribute="defs", working_directory=str(Path(__file__).parents[2])
        ),
        location_name="apollo",
    )
    with (
        dg.instance_for_test() as instance,
        create_test_daemon_workspace_context(InProcessWorkspaceLoadTarget(origin), instance) as context,
    ):
        instance.add_dynamic_partitions("backups", [BACKUP])
        yield context


def evaluate(workspace, at: float) -> None:
    with freeze_time(at):
        list(FreshnessDaemon().run_iteration(workspace))


def read_back(workspace) -> tuple[FreshnessState, str]:
    """The state the daemon recorded, from the instance and as the UI's GraphQL shows it."""
    record = workspace.instance.get_freshness_state_records([PEOPLE])[PEOPLE]
    result = execute_dagster_graphql(workspace.create_request_context(), QUERY, {"keys": [{"path": PEOPLE.path}]})
    assert not result.errors, result.errors
    (node,) = result.data["assetNodes"]
    return record.freshness_state, node["freshnessStatusInfo"]["freshnessStatus"]


def test_a_stale_snapshot_fails_and_a_fresh_materialization_passes(workspace):
    instance = workspace.instance
    instance.report_runless_asset_event(dg.AssetMaterialization(PEOPLE, partition=BACKUP))
    landed = time.time()

    evaluate(workspace, landed + 60)
    assert read_back(workspace) == (FreshnessState.PASS, "HEALTHY")
    evaluate(workspace, landed + 25.5 * HOUR)  # the next daily backup is late
    assert read_back(workspace) == (FreshnessState.WARN, "WARNING")
    evaluate(workspace, landed + 27 * HOUR)  # and still missing past the fail window (26 h)
    assert read_back(workspace) == (FreshnessState.FAIL, "DEGRADED")

    instance.report_runless_asset_event(dg.AssetMaterialization(PEOPLE, partition="20261102T040000Z"))
    evaluate(workspace, time.time() + 60)
    assert read_back(workspace) == (FreshnessState.PASS, "HEALTHY")
