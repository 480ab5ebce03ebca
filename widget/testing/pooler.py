"""PgBouncer in transaction pooling mode in front of a Postgres, as an operator runs it.

Debian's ``pgbouncer`` (``apt-get install pgbouncer``; ``scripts/test`` installs it as root)
listens on a free port of 127.0.0.1 and hands every transaction to whichever server
connection is free, so anything that relied on session state across transactions breaks
through it. The tests run Innkeep through it; the benchmarks may too. Standard library only.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from widget.testing.stack import free_port

#: Where Debian installs it; found on PATH otherwise.
BINARY = "/usr/sbin/pgbouncer"


def pgbouncer_binary() -> str | None:
    """The pgbouncer executable, or None when it is not installed."""
    if os.access(BINARY, os.X_OK):
        return BINARY
    return shutil.which("pgbouncer")


def _server_of(postgres_url: str) -> tuple[str, int, str]:
    """(host or socket folder, port, user) of a ``postgresql://`` URL."""
    parts = urlsplit(postgres_url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, parts.port or 5432, parts.username or "postgres"


class PgBouncer:
    """One pgbouncer process (transaction mode, trust auth for the server's user) whose
    files live in ``folder``; `url` names a database through it."""

    def __init__(self, folder: Path, postgres_url: str, *, pool_size: int = 20) -> None:
        self.folder = folder
        self.postgres_url = postgres_url
        self.pool_size = pool_size
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def _config(self, user: str) -> Path:
        host, port, server_user = _server_of(self.postgres_url)
        self.folder.mkdir(parents=True, exist_ok=True)
        users = self.folder / "userlist.txt"
        users.write_text(f'"{server_user}" ""\n')
        lines = [
            "[databases]",
            # Any database name the client asks for, on the same server.
            f"* = host={host} port={port} user={server_user}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "pool_mode = transaction",
            "auth_type = trust",
            f"auth_file = {users}",
            f"default_pool_size = {self.pool_size}",
            "max_client_conn = 1000",
            f"logfile = {self.folder / 'pgbouncer.log'}",
            f"pidfile = {self.folder / 'pgbouncer.pid'}",
            "ignore_startup_parameters = extra_float_digits",
        ]
        if os.geteuid() == 0:
            # pgbouncer refuses to run as root; the embedded Postgres runs as this user.
            lines.append(f"user = {user}")
        config = self.folder / "pgbouncer.ini"
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self, binary: str, user: str = "pgserver", timeout: float = 15.0) -> None:
        """Start it and wait until it accepts connections."""
        self.port = free_port()
        config = self._config(user)
        if os.geteuid() == 0:
            record = pwd.getpwnam(user)
            os.chown(self.folder, record.pw_uid, record.pw_gid)
            for path in self.folder.iterdir():
                os.chown(path, record.pw_uid, record.pw_gid)
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary, our own config
            [binary, str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._accepts():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pgbouncer did not start:\n{self.log()}")
            time.sleep(0.05)

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def url(self, database: str) -> str:
        """A URL for ``database`` through the pooler."""
        _, _, user = _server_of(self.postgres_url)
        return urlunsplit(("postgresql", f"{user}@127.0.0.1:{self.port}", f"/{database}", "", ""))

    def log(self) -> str:
        try:
            return (self.folder / "pgbouncer.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop it at once (SIGTERM: pgbouncer's immediate shutdown)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
