"""A throwaway PostgreSQL server for the test run (initdb + pg_ctl in a temporary folder).

The server binaries are found on PATH or under /usr/lib/postgresql/*/bin. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` (or `nobody`) user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(f"PostgreSQL server binary {name!r} not found; install postgresql")
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self._root = Path(tempfile.mkdtemp(prefix="casus-pg-"))
        self._data = self._root / "data"
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = "postgres" if _user_exists("postgres") else "nobody"
            uid = pwd.getpwnam(self._user).pw_uid
            os.chown(self._root, uid, -1)
            self._root.chmod(0o700)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            _binary("initdb"),
            "-D",
            str(self._data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        )
        options = (
            f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            _binary("pg_ctl"),
            "-D",
            str(self._data),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "-l",
            str(self._root / "log"),
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(_binary("pg_ctl"), "-D", str(self._data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self._root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A SQLAlchemy URL; any role logs in without a password (trust authentication)."""
        return f"postgresql+asyncpg://{user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
