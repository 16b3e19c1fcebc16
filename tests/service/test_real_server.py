"""`apollo serve` for real: uvicorn in a child process on a free loopback port, over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import httpx
import psutil
import pytest

from ml_assets.service.process import ROOT, start_service
from tests import tiers

from .conftest import AUTH, TOKEN


@pytest.fixture
@tiers.integration
def service(sample, registry_template, tmp_path):
    shutil.copytree(registry_template, tmp_path / "ml" / "registry")
    env = {
        **os.environ,
        "APOLLO_DATA_DIR": str(tmp_path),
        "APOLLO_SERVICE_TOKEN": TOKEN,
        "APOLLO_WAREHOUSE_PATH": str(sample.serving_path),
        "APOLLO_DBT_MANIFEST": str(sample.manifest),
    }
    running = start_service(env, "--no-access-log", model="reply_propensity")
    yield running
    assert running.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert "Application shutdown complete." in "\n".join(running.log)  # gracefully, lifespan included


def test_the_service_answers_over_http(service):
    with httpx.Client(base_url=service.url, timeout=30) as http:
        assert http.get("/health").json()["status"] == "ok"
        assert http.post("/models/reply_propensity/score", json={"prospects": [{}]}).status_code == 401
        scored = http.post("/models/reply_propensity/score", headers=AUTH, json={"prospects": [{}, {"send_hour": 9}]})
        assert scored.status_code == 200 and len(scored.json()["scores"]) == 2
        assert http.get("/marts/mart_engagement_funnel", headers=AUTH, params={"limit": 3}).json()["total"] > 0
        assert http.post("/models/reply_propensity/score", headers=AUTH, content=b"{").status_code == 422


def test_the_service_listens_on_loopback_only_by_default(service):
    listening = [c for c in psutil.Process(service.process.pid).net_connections() if c.status == psutil.CONN_LISTEN]
    assert [(c.laddr.ip, c.laddr.port) for c in listening] == [("127.0.0.1", service.port)]


@pytest.mark.integration  # `apollo serve` in a process
def test_serve_refuses_to_start_without_its_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "APOLLO_SERVICE_TOKEN"} | {"APOLLO_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "apollo_assets.cli.serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "APOLLO_SERVICE_TOKEN" in done.stderr
