"""`apollo serve` for real: uvicorn in a child process on a free loopback port, over HTTP."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys

import httpx
import psutil
import pytest

from ml_assets.service.process import ROOT, start_service
from ml_assets.service.routes.models import MAX_BODY_BYTES
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


def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(service):
    """No Content-Length: the server answers 413 and closes once the limit is passed, instead of reading (or
    holding) the 128 MB the client is ready to send."""
    chunk, ready = b"x" * 65536, 128 * 1024 * 1024
    head = (
        f"POST /models/reply_propensity/score HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sent = 0
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as connection:
        connection.sendall(head.encode())
        while sent < ready and not select.select([connection], [], [], 0)[0]:  # until the server answers
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):  # it closed the connection: read its answer
                break
            sent += len(chunk)
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"connection: close" in answer.lower()
    # What is in flight in the socket buffers when the server stops reading, at most: far from all of it.
    assert MAX_BODY_BYTES < sent < ready / 4


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
