"""`innkeep qa journeys` as a QA engineer runs it: every journey passes against the demo's
sample site (and cleans up after itself), the journeys that book nothing pass on a
deliberately hostile page behind a "Book now" button; against a broken widget it fails,
readably; and it refuses to book where it may not. Each run covers several journeys: the
suite runs the command three times in all."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.conftest import ROOT, Deployment
from widget.testing.booking_widget import BookingWidget
from widget.testing.journey_list import JOURNEYS
from widget.testing.stack import innkeep_command

BOOK_NOTHING = [j.__name__ for j, books in JOURNEYS if not books]


def journeys(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        innkeep_command("qa", "journeys", *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_journey_passes_on_the_demo_sample_site_and_cleans_up(
    deployment: Deployment, tmp_path: Path
) -> None:
    if deployment.sample_site is None or deployment.token is None:
        pytest.skip("needs the demo the suite starts (its sample site and testing token)")
    junit, html = tmp_path / "journeys.xml", tmp_path / "report.html"
    run = journeys(
        "--site",
        deployment.sample_site + "/",
        "--token",
        deployment.token,
        "--junit",
        str(junit),
        "--html",
        str(html),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for journey, _ in JOURNEYS:
        mark = "SKIP" if journey.__name__ == "dialog_by_keyboard" else "PASS"  # inline there
        assert f"{mark}  {journey.__name__}" in run.stdout, run.stdout
    # The four journeys that book (a success, a declined card then another, a bank's check
    # cancelled then confirmed, the offline moment) cancelled their bookings; the two that
    # only hold let go.
    assert "Cleaned up: 4 booking(s) cancelled, 2 hold(s) released" in run.stdout, run.stdout
    assert 'failures="0"' in junit.read_text() and 'skipped="1"' in junit.read_text()
    # The HTML report shows each journey's end, the screenshots beside it.
    shots = re.findall(r'<img src="([^"]+)"', html.read_text())
    assert len(shots) == len(JOURNEYS), html.read_text()
    assert all((tmp_path / shot).stat().st_size > 1000 for shot in shots)


def test_the_read_only_journeys_pass_on_a_hostile_page_behind_book_now(
    deployment: Deployment,
) -> None:
    # Hostile CSS on iframe, div, button, [hidden] and dialog, a patched Array.prototype, a
    # message listener that evals strings, and a global Innkeep defined first: the journeys
    # that book nothing (the dialog by keyboard among them) pass, for the property named.
    run = journeys(
        "--site",
        deployment.page(hostile=1, mode="dialog"),
        "--read-only",
        "--property",
        deployment.slug,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in BOOK_NOTHING:
        assert f"PASS  {name}" in run.stdout, run.stdout
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
    broken = journeys(
        "--site",
        deployment.page(slug="no-such-house"),
        "--read-only",
        "--service",
        deployment.service,
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "FAIL  widget_appears" in broken.stdout
    assert "no Innkeep widget" in broken.stdout or "Timeout" in broken.stdout
    assert f"0 passed, {len(BOOK_NOTHING)} failed" in broken.stdout


def test_the_page_object_finds_the_named_property_s_widget_only(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page())
    assert BookingWidget.find(page, slug=deployment.slug).priced_nights().count() > 0
    with pytest.raises(AssertionError, match="no Innkeep widget of property 'another-house'"):
        BookingWidget.find(page, slug="another-house", timeout=1_000)
