"""A plugin author's first hour, for real: `innkeep plugin new`, then the printed next steps in
a throw-away virtual environment with Innkeep installed from this tree, then the generated
tests and `mypy --strict`, green.

Fast and offline: the venv reuses the shared environment's packages through a ``.pth`` file
(pytest, mypy, msgspec, … are found, not downloaded), Innkeep is built from this tree without
build isolation, and pip never asks an index. A few seconds, so it runs with the suite.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = ["--no-index", "--no-build-isolation", "--disable-pip-version-check", "--quiet"]

pytestmark = pytest.mark.skipif(
    sys.prefix == sys.base_prefix, reason="needs the suite to run from a virtual environment"
)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{shlex.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def throwaway_venv(where: Path) -> Path:
    """A venv whose own site-packages come first, with the shared ones behind them."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120
    )
    shared = sysconfig.get_paths()["purelib"]
    python = where / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    Path(own, "zz_shared_environment.pth").write_text(shared + "\n")
    return python


def author_env(venv: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INNKEEP_", "PYTHON", "PIP_", "VIRTUAL_ENV", "MYPY"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def test_a_generated_plugin_passes_its_own_tests_and_strict_mypy_once_installed(
    tmp_path: Path,
) -> None:
    python = throwaway_venv(tmp_path / "venv")
    env = author_env(tmp_path / "venv")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", *OFFLINE]
    run([*pip, "--no-deps", str(ROOT)], cwd=tmp_path, env=env)  # Innkeep, as a wheel

    printed = run(
        [str(python), "-m", "widget.cli", "plugin", "new", "pet-fee", "--dest", str(tmp_path)],
        cwd=tmp_path,
        env=env,
    )
    folder = tmp_path / "innkeep-pet-fee"
    assert printed.splitlines() == [
        f"created {folder}",
        f"next: cd {folder} && pip install -e '.[test]' && pytest && mypy",
    ]
    # On a fresh venv of their own, the test extra is what brings pytest and mypy.
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    extra = " ".join(project["optional-dependencies"]["test"])
    assert "pytest" in extra and "mypy" in extra
    # The next steps, as printed (pip offline, and through the venv's interpreter).
    run([*pip, "-e", ".[test]"], cwd=folder, env=env)
    tests = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder, env=env)
    assert "3 passed" in tests
    typed = run([str(python), "-m", "mypy", "--strict", "--no-incremental"], cwd=folder, env=env)
    assert "Success: no issues found in 2 source files" in typed
