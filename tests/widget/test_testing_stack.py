"""The helper that starts Innkeep for the suite, the end-to-end checkouts and the benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

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
