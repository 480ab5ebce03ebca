"""`innkeep plugin new` output installs, and a quote in a fresh process picks it up through
entry points. Everything happens in subprocesses and a throw-away folder, so the generated
plugin never leaks into this test session."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from engine.plugins import rule_types
from engine.scaffold import names, new_plugin

ROOT = Path(__file__).resolve().parents[2]


def install(project: Path, target: Path) -> None:
    """``pip install --target`` when the build backend is at hand (offline, no isolation);
    otherwise lay out what pip would: the package and a dist-info with its entry points."""
    if importlib.util.find_spec("hatchling") is not None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "--target",
                str(target),
                str(project),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    for package in (project / "src").iterdir():
        (target / package.name).mkdir(parents=True)
        for source in package.glob("*.py"):
            (target / package.name / source.name).write_text(source.read_text())
    dist_info = target / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
    )
    points = meta["entry-points"]["innkeep.pricing"]
    (dist_info / "entry_points.txt").write_text(
        "[innkeep.pricing]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
    )


def environment(target: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), str(ROOT)])
    return env


QUOTE = """
import json
from engine.testing import price
quote = price(rules=[{"type": "weekend_glow", "percent": 20}], base_price="80.00",
              check_in="2026-05-01", check_out="2026-05-03")
print(json.dumps({"total": quote.total, "rules": [l.rule for l in quote.nights[0].lines]}))
"""


def test_a_generated_plugin_installs_and_prices_through_entry_points(tmp_path: Path) -> None:
    project = new_plugin("weekend-glow", tmp_path)
    assert project.name == "innkeep-weekend-glow"
    target = tmp_path / "site"
    install(project, target)

    result = subprocess.run(
        [sys.executable, "-c", QUOTE],
        capture_output=True,
        text=True,
        env=environment(target),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"total": 19200, "rules": ["base_rate", "weekend_glow"]}

    listing = (
        "import engine, json; "
        "print(json.dumps({n: i.package for n, i in engine.rule_types().items()}))"
    )
    for allowed, expected in (
        ("builtin", None),
        ("builtin,innkeep-weekend-glow", "innkeep-weekend-glow"),
    ):
        env = dict(environment(target), INNKEEP_LOAD_PLUGINS=allowed)
        shown = subprocess.run(
            [sys.executable, "-c", listing],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=True,
        ).stdout
        assert json.loads(shown).get("weekend_glow") == expected

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project / "tests")],
        capture_output=True,
        text=True,
        env=environment(target),
        cwd=project,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout


def test_nothing_leaked_into_this_session() -> None:
    assert "weekend_glow" not in rule_types()


def test_names_are_checked_and_existing_folders_kept(tmp_path: Path) -> None:
    assert names("innkeep-holiday-surcharge")["module"] == "innkeep_holiday_surcharge"
    with pytest.raises(ValueError, match="lower-case"):
        new_plugin("Holiday Surcharge!", tmp_path)
    new_plugin("gift", tmp_path)
    with pytest.raises(FileExistsError):
        new_plugin("gift", tmp_path)
