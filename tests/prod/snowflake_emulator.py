"""fakesnow, the Snowflake emulator (Snowflake SQL translated to DuckDB), in-process or as a server.

In-process, `fakesnow.patch` replaces `snowflake.connector.connect`; a module that did `from snowflake.connector
import connect` keeps its own reference, which must be listed as an extra target (fakesnow's README). The modules
that connect are scanned for such references: today dagster-snowflake and dbt-snowflake both call
`snowflake.connector.connect` through the module, so the list is empty, and a test proves the patch catches them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fakesnow
import snowflake.connector

# Everything that opens Snowflake connections in the platform and its tests.
CONNECTING_MODULES = (
    "dagster_snowflake.resources",
    "dbt.adapters.snowflake.connections",
    "apollo_assets.warehouse.snowflake.resource",
)
DATABASE, SCHEMA = "APOLLO", "PUBLIC"


def fakesnow_targets(modules: tuple[str, ...] = CONNECTING_MODULES) -> list[str]:
    """`module.name` of every module-level name bound to the connector's connect (a `from … import`)."""
    found = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        found += [f"{module_name}.{k}" for k, v in vars(module).items() if v is snowflake.connector.connect]
    return found


def read_gcs_from(duck: Any) -> None:
    """Let the emulator's DuckDB read `gcs://` stage URLs through gcsfs (i.e. from fake-gcs-server), as Snowflake
    reads the bucket through its storage integration. Never through DuckDB's httpfs extension, which would be
    downloaded: extension autoloading is off, so a path that gcsfs does not serve fails instead."""
    import gcsfs

    duck.execute("SET autoinstall_known_extensions = false")
    duck.execute("SET autoload_known_extensions = false")
    duck.register_filesystem(gcsfs.GCSFileSystem(token="anon"))


@contextmanager
def patched_snowflake(db_path: Path | None = None) -> Iterator[Any]:
    """Snowflake emulated in this process; yields fakesnow's DuckDB connection."""
    with fakesnow.patch(fakesnow_targets(), db_path=None if db_path is None else str(db_path)):
        # fakesnow does not expose its instance: the patched connect's side effect is its bound `connect`.
        duck = snowflake.connector.connect.side_effect.__self__.duck_conn
        if os.environ.get("STORAGE_EMULATOR_HOST"):
            read_gcs_from(duck)
        yield duck


@contextmanager
def snowflake_server() -> Iterator[dict]:
    """fakesnow's HTTP server in a thread of this process, for clients in other processes (dbt run by
    dagster-dbt); yields the connection arguments (host, port, protocol …).

    What `fakesnow.server()` does, minus a trap: that function imports its `fakesnow.server` module, which then
    shadows the function on the package, so it can be called once per process.
    """
    import threading
    import time

    import uvicorn

    server_module = importlib.import_module("fakesnow.server")
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        read_gcs_from(server_module.shared_fs.duck_conn)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(server_module.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="fakesnow server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        if not server.started:
            raise RuntimeError("the fakesnow server did not start")
        yield {"host": "127.0.0.1", "port": port, "protocol": "http", "account": "fakesnow", "user": "fake"}
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def snowflake_env(database: str = DATABASE, schema: str = SCHEMA, **extra: str) -> dict[str, str]:
    """The SNOWFLAKE_* variables of APOLLO_ENV=prod, with emulator values (fakesnow ignores the credentials), and
    the marker that lets dbt's `snowflake` target take its fakesnow-only branches (dbt/README.md)."""
    return {
        "APOLLO_SNOWFLAKE_EMULATOR": "fakesnow",
        "SNOWFLAKE_ACCOUNT": "fakesnow",
        "SNOWFLAKE_USER": "fake",
        "SNOWFLAKE_PASSWORD": "snow-password-never-logged",
        "SNOWFLAKE_ROLE": "SYSADMIN",
        "SNOWFLAKE_WAREHOUSE": "COMPUTE_WH",
        "SNOWFLAKE_DATABASE": database,
        "SNOWFLAKE_SCHEMA": schema,
        "SNOWFLAKE_STORAGE_INTEGRATION": "APOLLO_GCS_LAKE",
        **extra,
    }
