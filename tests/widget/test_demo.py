"""``innkeep demo`` end to end: real embedded servers, the sample site on another origin,
a clean stop that leaves no server behind, and data kept across restarts."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
from argon2 import PasswordHasher

from widget.local_servers import EmbeddedPostgres
from widget.testing.stack import Launch, free_port, innkeep_demo


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def servers_left(data_dir: Path) -> list[psutil.Process]:
    """The servers still running on ``data_dir`` once they have had time to exit: pg_ctl's
    stop returns when Postgres has removed its pid file, a moment before the process ends
    (a moment that grows on a loaded machine)."""
    deadline = time.monotonic() + 15
    while (found := servers_using(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def servers_using(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(data_dir) in cmdline and process.info["name"] in ("postgres", "valkey-server"):
            found.append(process)
    return found


@contextmanager
def demo(data_dir: Path, port: int, host_port: int, stop: signal.Signals) -> Iterator[str]:
    """The demo as an owner starts it (no INNKEEP_ settings); yields what it printed, and
    checks that ``stop`` ends it cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    launch = Launch(env, stop=stop, grace=60, start_timeout=90)
    with innkeep_demo(launch, data_dir, port=port, host_port=host_port) as running:
        yield running.log_text()
        assert running.stop() == 0, running.log_text()


def test_the_demo_runs_stops_cleanly_and_keeps_its_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port, host_port = free_port(), free_port()
    with demo(data_dir, port, host_port, signal.SIGINT) as output:
        service = f"http://127.0.0.1:{port}"
        assert service in output and f"http://127.0.0.1:{host_port}" in output
        assert get(f"{service}/readyz") == (200, '{"status":"ready","postgres":"ok","redis":"ok"}')
        status, page = get(f"http://127.0.0.1:{host_port}/")
        assert status == 200
        assert f'<script src="{service}/widget.js" data-property="demo" async>' in page
        assert get(f"{service}/widget.js")[0] == 200
        # The owner's console and its login are printed; the password is the account's.
        console = re.search(rf"{service}/admin/ +\(login (\S+), password (\S+)\)", output)
        assert console is not None, output
        assert get(f"{service}/admin/login")[0] == 200
        postgres = EmbeddedPostgres(data_dir, owner=False)
        with psycopg.connect(postgres.start()) as conn:
            conn.execute(
                "INSERT INTO webhook_event (id, provider, type) VALUES ('evt_kept', 'x', 'y')"
            )
            stored = conn.execute(
                "SELECT password_hash FROM console_user WHERE email = %s", (console[1],)
            ).fetchone()
        postgres.stop()
        assert stored is not None and PasswordHasher().verify(stored[0], console[2])
    assert servers_left(data_dir) == []

    with demo(data_dir, port, host_port, signal.SIGTERM):
        status, body = get(f"{service}/api/v1/properties/demo")
        assert status == 200 and "Casa Lanterna" in body
        postgres = EmbeddedPostgres(data_dir, owner=False)
        with psycopg.connect(postgres.start()) as conn:
            kept = conn.execute(
                "SELECT count(*) FROM webhook_event WHERE id = 'evt_kept'"
            ).fetchone()
        postgres.stop()
        assert kept == (1,)
    assert servers_left(data_dir) == []
