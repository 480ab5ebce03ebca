"""`innkeep qa journeys` as a QA engineer runs it: every journey passes against the demo's
sample site (and cleans up after itself), and on a deliberately hostile page behind a "Book
now" button; against a broken widget it fails, readably, naming the journey; and it refuses
to book where it may not. Each run covers several journeys: the suite runs the command
four times in all, and the journeys once in-process against a widget broken on purpose."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import ROOT, Deployment
from widget.testing.booking_widget import BookingWidget
from widget.testing.journey_list import JOURNEYS
from widget.testing.journeys import report, run_journeys
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


def test_every_journey_passes_on_a_hostile_page_behind_book_now(deployment: Deployment) -> None:
    # Hostile CSS on iframe, div, button, [hidden] and dialog, a patched Array.prototype, a
    # message listener that evals strings, and a global Innkeep defined first: every
    # journey passes (the dialog by keyboard and the bookings, with their events, among
    # them), for the property named. A property of its own: the journeys book on it.
    if deployment.token is None:
        pytest.skip("the journeys that book need the testing API's token")
    slug = deployment.new_property()
    run = journeys(
        "--site",
        deployment.page(slug=slug, hostile=1, mode="dialog"),
        "--property",
        slug,
        "--token",
        deployment.token,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for journey, _ in JOURNEYS:
        assert f"PASS  {journey.__name__}" in run.stdout, run.stdout
    assert "Cleaned up: 4 booking(s) cancelled, 2 hold(s) released" in run.stdout, run.stdout


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
    said = broken.stdout.split("FAIL  widget_appears")[1].splitlines()[1]
    # At once, with the loader's own words, rather than after the wait for a widget.
    assert "no Innkeep widget" in said and "the loader shows its notice instead" in said, said
    assert "Timeout" not in broken.stdout, broken.stdout
    assert "not run: no widget (see widget_appears)" in broken.stdout
    assert f"0 passed, {len(BOOK_NOTHING)} failed" in broken.stdout


class _QuotesFail:
    """The browser, every guest's context having the service answer the widget's quotes
    with a 500: the widget appears, priced, but no stay can be quoted."""

    def __init__(self, browser: Any) -> None:
        self.browser_type = browser.browser_type
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.route(
            re.compile(r"/quotes/all-plans$"),
            lambda route: route.fulfill(status=500, json={"error": "internal", "message": "x"}),
        )
        return context


def test_a_widget_broken_on_purpose_fails_naming_the_journey_and_why(
    browser: Any, deployment: Deployment
) -> None:
    run = run_journeys(
        _QuotesFail(browser),
        deployment.page(),
        may_book=False,
        shots=None,
        property_slug=deployment.slug,
        only=["widget_appears", "quote_adds_up"],
    )
    said = report(run)
    assert "PASS  widget_appears" in said, said  # it appears, priced: the quotes are broken
    failed = said.split("FAIL  quote_adds_up")[1].splitlines()[1]
    assert "no stay can be quoted: the service answered 500 to POST" in failed, said
    assert "/quotes/all-plans" in failed and "Timeout" not in said, said
    assert "1 passed, 1 failed" in said, said


def test_the_page_object_finds_the_named_property_s_widget_only(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page())
    assert BookingWidget.find(page, slug=deployment.slug).priced_nights().count() > 0
    with pytest.raises(AssertionError, match="no Innkeep widget of property 'another-house'"):
        BookingWidget.find(page, slug="another-house", timeout=1_000)


def test_the_readability_journey_judges_only_nights_a_guest_can_pick(
    browser: Any, page: Page, deployment: Deployment
) -> None:
    """Mid-month, the calendar greys the nights already gone (inactive, which WCAG lets be
    faint): the journey passes. (Until 2 December every run of it fell on the first of a
    month, when no night of the month shown had passed yet; on the second it failed.)"""
    api = deployment.api
    if api is None:
        pytest.skip("moving a property's clock needs the testing API")
    slug = deployment.new_property()
    today = date.fromisoformat(api.advance_clock(slug, 1)["today"])
    fifteenth = today.replace(day=15) if today.day < 15 else _next_month(today).replace(day=15)
    api.advance_clock(slug, (fifteenth - today).days * 86400)
    page.goto(deployment.page(slug=slug))
    widget = BookingWidget.find(page, slug=slug)
    past = widget.frame.locator('[data-testid="night"].past')
    expect(past.first).to_be_visible()
    assert past.count() >= 14
    run = run_journeys(
        browser,
        deployment.page(slug=slug),
        may_book=False,
        shots=None,
        property_slug=slug,
        only=["keeps_size_and_readability"],
    )
    said = report(run)
    assert "PASS  keeps_size_and_readability" in said, said


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
