"""`apollo serve` in a child process on a free loopback port, for tests and benchmarks: started, waited for until
it serves, and stopped reliably (SIGTERM, then SIGKILL), its log kept for diagnostics."""

from __future__ import annotations

import collections
import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@dataclass
class RunningService:
    process: subprocess.Popen
    port: int = 0
    log: collections.deque = field(default_factory=lambda: collections.deque(maxlen=200))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully on SIGTERM
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_service(env: Mapping[str, str], *args: str, timeout: float = 120, model: str | None = None) -> RunningService:
    """Start on port 0 (the OS picks a free port; uvicorn logs it) and wait for /health, and for `model` to be
    served when given."""
    command = [sys.executable, "-m", "apollo_assets.cli.serve", "--port", "0", *args]
    process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stderr=subprocess.PIPE, text=True)
    service, lines = RunningService(process), queue.Queue()
    threading.Thread(target=_drain, args=(process, lines, service.log), daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while not service.port:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("the service did not report its port in time") from None
            if line is None:
                raise RuntimeError("the service exited before listening:\n" + "\n".join(service.log))
            if found := LISTENING.search(line):
                service.port = int(found.group(1))
        _wait_until_healthy(service, model, deadline)
    except BaseException:
        service.stop()
        raise
    return service


def _drain(process: subprocess.Popen, lines: queue.Queue, log: collections.deque) -> None:
    # Always read the pipe: a child whose stderr pipe is full blocks on its next log line.
    for line in process.stderr:
        log.append(line.rstrip())
        lines.put(line)
    lines.put(None)


def _wait_until_healthy(service: RunningService, model: str | None, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(service.url + "/health", timeout=2) as response:
                models = json.load(response)["models"]
            if model is None or models.get(model, {}).get("serving_version"):
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the service did not become healthy in time:\n" + "\n".join(service.log))
