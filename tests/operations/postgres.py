"""A throwaway PostgreSQL cluster from Debian's packages (installed by the test setup when missing).

initdb into a temp dir, trust authentication, listening on 127.0.0.1 on a free port (and a Unix socket in the same
temp dir, never the system's /var/run/postgresql), stopped with `pg_ctl stop -m fast` and deleted afterwards.
PostgreSQL refuses to run as root: as root (CI), the server binaries run as the `postgres` system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg2.extensions import connection

PG_VERSION = "15"
PG_BIN = Path(f"/usr/lib/postgresql/{PG_VERSION}/bin")
SERVER_USER = "postgres"  # created by Debian's postgresql-common


def _binaries() -> Path | None:
    """Debian's PostgreSQL 15 binaries, or the newest installed major version."""
    if (PG_BIN / "initdb").exists():
        return PG_BIN
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return installed[-1].parent if installed else None


def ensure_postgres() -> Path:
    """The bin dir of Debian's PostgreSQL, installed with apt when absent and we are root (CI runs as root)."""
    if _binaries() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    bin_dir = _binaries()
    if bin_dir is None:
        raise RuntimeError(
            f"PostgreSQL server binaries are missing ({PG_BIN}/initdb): install Debian's postgresql package "
            "(apt-get install -y postgresql), or run the tests as root so that the test setup installs it"
        )
    return bin_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    """A running cluster: connect over TCP to host:port as `user` (no password needed) to database `db_name`."""

    host: str
    port: int
    user: str
    db_name: str
    socket_dir: Path

    def connect(self, db_name: str | None = None) -> connection:
        """A psycopg2 connection (autocommit) to `db_name` (default: the test database)."""
        import psycopg2

        conn = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=db_name or self.db_name, connect_timeout=10
        )
        conn.autocommit = True
        return conn


def _server_user() -> pwd.struct_passwd | None:
    """The `postgres` user when we are root (PostgreSQL refuses root), else None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise RuntimeError(f"running as root, but there is no `{SERVER_USER}` user to run PostgreSQL") from None


def _run(bin_dir: Path, args: list[str], cwd: Path) -> None:
    """One server binary, as the `postgres` user when we are root; its output in the error when it fails."""
    command = [str(bin_dir / args[0]), *args[1:]]
    if _server_user() is not None:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    env = {**os.environ, "LC_ALL": "C", "PGTZ": "UTC"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@contextmanager
def postgres_server(db_name: str = "dagster", user: str = "apollo") -> Iterator[PostgresServer]:
    """Start a fresh cluster with database `db_name` owned by superuser `user`; stop and delete it on exit."""
    bin_dir = ensure_postgres()
    # Under /tmp (not pytest's root-only tmp dir), so that the `postgres` user can reach it.
    root = Path(tempfile.mkdtemp(prefix="apollo-pg-"))
    data, log = root / "data", root / "server.log"
    server_user = _server_user()
    if server_user is not None:
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    port = free_port()
    try:
        try:
            _run(bin_dir, ["initdb", "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-locale"], root)
            options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
            _run(bin_dir, ["pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"], root)
            server = PostgresServer(host="127.0.0.1", port=port, user=user, db_name=db_name, socket_dir=root)
            conn = server.connect("postgres")
            try:
                with conn.cursor() as cursor:
                    cursor.execute(f'CREATE DATABASE "{db_name}"')
            finally:
                conn.close()
        except RuntimeError as error:
            server_log = log.read_text() if log.exists() else "(none)"
            raise RuntimeError(f"{error}\nserver log:\n{server_log}") from error
        yield server
    finally:
        try:
            if (data / "postmaster.pid").exists():
                _run(bin_dir, ["pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"], root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
