"""`innkeep qa journeys` as a QA engineer runs it: against the demo's sample site and a
deliberately hostile host page it passes; against a broken widget it fails, readably."""

from __future__ import annotations

import subprocess

import pytest

from e2e.conftest import ROOT, Deployment
from widget.testing.stack import innkeep_command


def journeys(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        innkeep_command("qa", "journeys", *args),
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_journeys_pass_on_the_demo_sample_site(deployment: Deployment, tmp_path) -> None:
    if deployment.sample_site is None or deployment.token is None:
        pytest.skip("needs the demo the suite starts (its sample site and testing token)")
    junit = tmp_path / "journeys.xml"
    run = journeys("--site", deployment.sample_site + "/", "--token", deployment.token,
                   "--junit", str(junit))
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("widget_appears", "hold_shows_countdown", "booking_completes", "narrow_screen"):
        assert f"PASS  {name}" in run.stdout, run.stdout
    assert 'failures="0"' in junit.read_text()


def test_the_read_only_journeys_pass_on_a_hostile_page(deployment: Deployment) -> None:
    run = journeys("--site", deployment.page(hostile=1), "--read-only")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  widget_appears" in run.stdout
    assert "read-only: journeys that book were not run" in run.stdout


def test_booking_is_refused_without_test_mode_and_a_broken_widget_fails_readably(
    deployment: Deployment,
) -> None:
    refused = journeys(
        "--site", deployment.page(), "--service", deployment.service, "--token", "not-the-token"
    )
    assert refused.returncode == 2
    assert "refusing to book" in refused.stderr and "--read-only" in refused.stderr

    # A page whose widget names a property the service does not have: nothing appears.
    broken = journeys("--site", deployment.page(slug="no-such-house"), "--read-only",
                      "--service", deployment.service)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "FAIL  widget_appears" in broken.stdout
    assert "no Innkeep widget" in broken.stdout or "Timeout" in broken.stdout
    assert "0 passed, 3 failed" in broken.stdout
