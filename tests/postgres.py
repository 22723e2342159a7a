"""A throwaway PostgreSQL server for the lake tests: a cluster made with initdb in a temporary directory,
listening on 127.0.0.1 on a free port, stopped and removed afterwards."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "minewire"


def find_bin(name: str) -> str | None:
    """A PostgreSQL program on PATH, or in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """initdb + pg_ctl start; `database()` makes a fresh database; `stop()` stops the server and removes it.

    PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user (Debian's package
    makes it), which owns the cluster's directory."""

    def __init__(self):
        self.bins = {n: find_bin(n) for n in ("initdb", "pg_ctl", "createdb")}
        missing = [n for n, path in self.bins.items() if path is None]
        if missing:
            raise RuntimeError(f"PostgreSQL programs not found: {', '.join(missing)}")
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.dir = Path(tempfile.mkdtemp(prefix="minewire-pg-"))
        self.port = _free_port()
        self.count = 0
        self.started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}")

    def start(self) -> PostgresCluster:
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run(self.bins["initdb"], "-D", str(data), "-A", "trust", "-U", USER, "--no-sync")
        self._run(self.bins["pg_ctl"], "-D", str(data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=200", "start")
        self.started = True
        return self

    def database(self) -> str:
        """A new, empty database; its libpq connection string."""
        self.count += 1
        name = f"lake{self.count}"
        self._run(self.bins["createdb"], "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"dbname={name} host=127.0.0.1 port={self.port} user={USER}"

    def stop(self) -> None:
        if self.started:
            subprocess.run([*self.as_user, self.bins["pg_ctl"], "-D", str(self.dir / "data"), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)
