"""A real PostgreSQL for the tests: a throwaway cluster in a temporary directory, owned by the
`postgres` user (initdb refuses root), listening on a unix socket and a free loopback port."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from .servers import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (scripts/setup.sh installs it)")
    return found[-1]


def _as_postgres(command: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    return subprocess.run(command, check=True, capture_output=True, text=True)


class PostgresCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="qs-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres([_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"])
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} -c fsync=on"
        _as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"])

    def create_database(self) -> str:
        name = "qs_" + uuid.uuid4().hex[:10]
        _as_postgres([_bin("createdb"), "-h", str(self.root), "-p", str(self.port), "-U", "postgres", name])
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            _as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def wait_ready(cluster: PostgresCluster, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(cluster.port)], capture_output=True)
        if result.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not become ready")
