"""The Dagster services of a test, each in its own process group (Dagster's processes ignore SIGTERM in their
children: only killing the whole group stops them), with their logs kept as test artifacts."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

REPO = Path(__file__).parents[2]
BIN = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.log = name, logs / f"{name}.log"
        executable = BIN / args[0] if (BIN / args[0]).exists() else args[0]
        self.process = subprocess.Popen(
            [str(executable), *args[1:]],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole in stop()
        )

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}): {self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {timeout:.0f}s: {self.tail()}")
            time.sleep(1)

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        group = os.getpgid(self.process.pid) if self.process.poll() is None else self.process.pid
        members = [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) == group]
        _signal_group(group, signal.SIGTERM)
        _, alive = psutil.wait_procs(members, timeout=15)
        if alive:
            _signal_group(group, signal.SIGKILL)
            psutil.wait_procs(alive, timeout=15)
        self.process.wait(timeout=15)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)


def graphql(url: str, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{url}/graphql", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:  # the webserver explains a bad query in the body
        raise RuntimeError(f"GraphQL HTTP {exc.code}: {exc.read().decode(errors='replace')[:2000]}") from exc
    if payload.get("errors"):
        raise RuntimeError(f"GraphQL errors: {payload['errors']}")
    return payload["data"]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/server_info", timeout=5):
            return True
    except OSError:
        return False
