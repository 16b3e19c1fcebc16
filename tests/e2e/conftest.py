"""One Dagster deployment for the end-to-end tests: a code server, the webserver on a free loopback port and the
daemon, over three small generated backups, with the repository's dagster.yaml in a temporary DAGSTER_HOME."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest

from apollo_assets.sample_data import Sizes, write_sample_backup
from apollo_assets.settings import load_settings
from tests import tiers
from tests.e2e.server import REPO, Service, answers, free_port, graphql

ARTIFACTS = REPO / "test-artifacts" / "e2e"
SIZES = Sizes().scaled(0.2)
SELECTOR = {"repositoryLocationName": "apollo", "repositoryName": "__repository__"}


@dataclass
class Deployment:
    url: str
    port: int
    data_dir: Path
    backups: list[str]
    services: list[Service] = field(default_factory=list)

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        return graphql(self.url, query, variables)


@pytest.fixture(scope="package")  # stopped when the e2e tests end: its daemon must not run beside the rest
@tiers.slow
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    with deploy(tmp_path_factory.mktemp("e2e") / "data") as running:
        yield running


@contextmanager
def deploy(data_dir: Path) -> Iterator[Deployment]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    home = data_dir / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    backups = [write_sample_backup(data_dir / "backups", sizes=SIZES).name for _ in range(3)]
    env = {**os.environ, "APOLLO_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("APOLLO_WAREHOUSE_PATH", None)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # The partitions the backup sensor would add; the sensor itself is kept off (below) so that the tests decide
        # which runs happen on a 2-core machine.
        instance.add_dynamic_partitions("backups", backups)
        _ingest(data_dir, instance, backups[-1])

    code_port, web_port = free_port(), free_port()
    workspace = data_dir / "workspace.yaml"
    workspace.write_text(
        f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {code_port}\n      location_name: apollo\n"
    )
    deployment = Deployment(f"http://127.0.0.1:{web_port}", web_port, data_dir, backups)
    try:
        code = Service("code-server", _code_server_args(code_port), env, ARTIFACTS)
        deployment.services.append(code)
        code.wait_until(lambda: _code_server_up(code_port), timeout=600)
        web_args = ["dagster-webserver", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(web_port)]
        web = Service("webserver", web_args, env, ARTIFACTS)
        deployment.services.append(web)
        web.wait_until(lambda: answers(deployment.url) and _location_loaded(deployment), timeout=600)
        stop_instigator(deployment, "sensor", "backup_sensor")
        stop_instigator(deployment, "schedule", "daily_fallback")
        deployment.services.append(Service("daemon", ["dagster-daemon", "run", "-w", str(workspace)], env, ARTIFACTS))
        yield deployment
    finally:
        for service in reversed(deployment.services):
            service.stop()


def _ingest(data_dir: Path, instance: dg.DagsterInstance, backup: str) -> None:
    """Snapshots and lake of the newest backup, in process: dbt exposes every lake dataset to the warehouse, so the
    warehouse steps the tests launch need each collection to have a partition in the lake."""
    from apollo_assets.definitions import build_definitions

    saved = os.environ.get("APOLLO_WAREHOUSE_PATH")
    defs = build_definitions(load_settings({"APOLLO_DATA_DIR": str(data_dir)}))
    if saved is None:  # build_definitions points dbt's profile at this data dir: not the rest of the session
        os.environ.pop("APOLLO_WAREHOUSE_PATH", None)
    else:
        os.environ["APOLLO_WAREHOUSE_PATH"] = saved
    ingest = [a for a in defs.assets if all(k.path[0] in ("mongo", "lake") for k in a.keys)]
    assert dg.materialize(ingest, partition_key=backup, instance=instance, resources=defs.resources).success


def _code_server_args(port: int) -> list[str]:
    return ["dagster", "api", "grpc", "-m", "apollo_assets.definitions", "-h", "127.0.0.1", "-p", str(port)]


def _code_server_up(port: int) -> bool:
    from dagster._grpc.client import DagsterGrpcClient

    try:
        DagsterGrpcClient(port=port, host="127.0.0.1").ping("up")
    except Exception:  # not listening yet: the definitions take a while to load
        return False
    return True


def _location_loaded(deployment: Deployment) -> bool:
    data = deployment.graphql(
        """{ workspaceOrError { ... on Workspace { locationEntries {
             name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
    )
    entries = data["workspaceOrError"]["locationEntries"]
    for entry in entries:
        if entry["locationOrLoadError"] and entry["locationOrLoadError"]["__typename"] == "PythonError":
            raise RuntimeError(f"code location failed to load: {entry['locationOrLoadError']['message']}")
    return bool(entries) and all(e["loadStatus"] == "LOADED" and e["locationOrLoadError"] for e in entries)


def stop_instigator(deployment: Deployment, kind: str, name: str) -> None:
    """Stop a sensor or schedule before the daemon starts, the way an operator would in the UI."""
    if kind == "sensor":
        found = deployment.graphql(
            """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) {
                 ... on Sensor { jobOriginId sensorState { selectorId } } } }""",
            {"s": {**SELECTOR, "sensorName": name}},
        )["sensorOrError"]
        result = deployment.graphql(
            """mutation($o: String, $s: String) { stopSensor(jobOriginId: $o, jobSelectorId: $s) {
                 __typename ... on StopSensorMutationResult { instigationState { status } } } }""",
            {"o": found["jobOriginId"], "s": found["sensorState"]["selectorId"]},
        )["stopSensor"]
    else:
        found = deployment.graphql(
            """query($s: ScheduleSelector!) { scheduleOrError(scheduleSelector: $s) {
                 ... on Schedule { scheduleState { id selectorId } } } }""",
            {"s": {**SELECTOR, "scheduleName": name}},
        )["scheduleOrError"]
        result = deployment.graphql(
            """mutation($id: String) { stopRunningSchedule(id: $id) {
                 __typename ... on ScheduleStateResult { scheduleState { status } }
                 ... on PythonError { message } } }""",
            {"id": found["scheduleState"]["id"]},
        )["stopRunningSchedule"]
    assert "STOPPED" in str(result), result


def wait_for(condition, timeout: float, what: str, every: float = 3):
    """Poll `condition` until it returns something truthy; that value, or a TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f}s")
        time.sleep(every)
