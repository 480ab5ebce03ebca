"""The QA kit's pytest plugin: declared as a pytest11 entry point, and harmless to a plugin
author's plain pytest run (Playwright is imported only when its fixtures are used)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "widget.testing.pytest_plugin"
#: The other plugins of this environment, kept out of the child runs.
QUIET = ("-p", "no:playwright", "-p", "no:base_url", "-p", "no:cacheprovider")


def test_the_distribution_installs_the_plugin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {PLUGIN: PLUGIN}


def _pytest_in(folder: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """A plugin author's own pytest run in ``folder`` with the kit's plugin (and none of this
    environment's others); ``env`` over this one's (None: left out)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_ADDOPTS": None, **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", PLUGIN, *QUIET, *args],
        cwd=folder,
        env={name: value for name, value in environment.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_plain_pytest_run_with_the_plugin_never_imports_playwright(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\n"
        "def test_plain(request):\n"
        f"    assert request.config.pluginmanager.has_plugin({PLUGIN!r})\n"
        "    assert not [m for m in sys.modules if m.startswith('playwright')]\n"
        "    assert 'widget.testing.booking_widget' not in sys.modules\n"
    )
    run = _pytest_in(tmp_path, "test_plain.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_the_testing_api_fixture_skips_naming_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "test_api.py").write_text("def test_api(innkeep_testing_api):\n    pass\n")
    run = _pytest_in(
        tmp_path,
        "-rs",
        "test_api.py",
        INNKEEP_SERVICE_URL="http://127.0.0.1:9",
        INNKEEP_TESTING_TOKEN=None,
    )
    assert "1 skipped" in run.stdout, run.stdout + run.stderr
    # The service was given: only the token is asked for.
    assert "no testing API: give --innkeep-token (or INNKEEP_TESTING_TOKEN)" in run.stdout
    assert "give --innkeep-service" not in run.stdout, run.stdout
