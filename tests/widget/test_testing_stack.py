"""The helper that starts Innkeep for the suite, the end-to-end checkouts and the benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from widget.testing import stack
from widget.testing.stack import HOME, Launch, innkeep_serve


def test_it_imports_nothing_of_the_service() -> None:
    # The end-to-end suite drives a deployment from outside and may import only this.
    script = (
        "import sys, widget.testing.stack\n"
        "ours = ('widget', 'engine', 'plugins', 'litestar', 'psycopg', 'redis', 'msgspec')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ours))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], cwd=HOME, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["['widget',", "'widget.testing',", "'widget.testing.stack']"]


def test_a_service_that_cannot_start_is_reported_with_its_log() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    env["INNKEEP_DATA_DIR"] = os.environ["INNKEEP_DATA_DIR"]  # never the user's own folder
    env["INNKEEP_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/innkeep"
    env["INNKEEP_ENV"] = "development"  # else the missing secret key is named first
    with (
        pytest.raises(RuntimeError, match=r"exit code 2:\n.*INNKEEP_REDIS_URL") as failed,
        innkeep_serve(Launch(env, start_timeout=30)),
    ):
        pass
    assert "did not become ready" not in str(failed.value)


def test_a_port_taken_between_picking_and_binding_is_picked_again(
    database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other test runs share the machine: a port found free may be bound by one of them
    before the child binds it. The child is then started again on a new port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        monkeypatch.setattr(stack, "free_port", lambda: next(ports, None) or _free())
        env = {
            **os.environ,
            "INNKEEP_DATABASE_URL": database_url,
            "INNKEEP_REDIS_URL": redis_url,
            "INNKEEP_REDIS_CLUSTER": "1" if "," in redis_url else "0",
            "INNKEEP_ENV": "test",
        }
        with innkeep_serve(Launch(env, start_timeout=30)) as running:
            assert running.url != f"http://127.0.0.1:{taken.getsockname()[1]}"
            with urllib.request.urlopen(f"{running.url}/healthz", timeout=5) as answer:
                assert answer.status == 200


def _free() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
