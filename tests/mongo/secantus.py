"""A real MongoDB-wire server for the live-cluster tests: SecantusDB (WiredTiger-based, from PyPI).

It is GPL-2.0, so it is only ever run as a separate process by the tests, never imported by the platform.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def secantus_server(storage: Path) -> Iterator[str]:
    """Start a server on a free loopback port with its data under `storage`; yield its URI; stop it."""
    port = free_port()
    log = (storage.parent / "secantus.log").open("wb")
    command = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--storage-path", str(storage), "--log-level", "WARNING", "--standalone"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    try:
        _wait_ready(uri, process)
        yield uri
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(uri: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"secantusdb exited with code {process.returncode} before accepting connections")
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=1000) as client:
                client.admin.command("ping")
                return
        except PyMongoError:
            time.sleep(0.5)
    raise RuntimeError(f"secantusdb did not answer within {START_TIMEOUT_S} s")
