"""``innkeep qa journeys``: Innkeep's standard journeys, in a real browser, on the page where
a guesthouse embedded the widget; a readable report, JUnit XML and an HTML report with
screenshots on request.

Each journey opens its own browser context, so journeys are independent, and cleans up after
itself (`journey_base`). Journeys that book run only against a service in test mode (a token
its testing API accepts) whose widget takes no live Stripe payment; ``read_only`` runs only
those that book nothing. This module imports Playwright (through the page object).
"""

from __future__ import annotations

import html as html_module
import json
import re
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from widget.testing.journey_base import JourneySkipped, Outcome, Run, WidgetMissing
from widget.testing.journey_list import JOURNEYS, Journey
from widget.testing.testing_api import TestingApi, TestingApiError


class JourneysRefused(RuntimeError):
    """The journeys will not run as asked (they could book for real); the message says why."""


def run_journeys(
    browser: Any,
    site: str,
    *,
    may_book: bool,
    shots: Path | None,
    property_slug: str | None = None,
    only: list[str] | None = None,
    stripe_standin: str | None = None,
) -> Run:
    """Run every journey (those named in ``only``, when given; only those that book
    nothing unless ``may_book``), each a fresh guest who cleans up after itself; with
    ``shots``, a screenshot of each journey's end. With ``stripe_standin`` (a local Stripe
    stand-in's URL), each guest's browser has the fake Stripe.js (`fake_stripe`)."""
    run = Run(browser, site, may_book, shots, property_slug, stripe_standin=stripe_standin)
    for journey, books in JOURNEYS:
        if (books and not may_book) or (only and journey.__name__ not in only):
            continue
        missing = next((o for o in run.outcomes if o.no_widget), None)
        if missing is not None:
            # Every other journey starts from the widget on the page: say so, do not wait.
            said = f"not run: no widget (see {missing.name})"
            run.outcomes.append(Outcome(journey.__name__, False, 0.0, said))
            continue
        run.current = journey.__name__
        run.outcomes.append(_one(run, journey))
    return run


def _one(run: Run, journey: Journey) -> Outcome:
    started = time.monotonic()
    name = journey.__name__
    try:
        journey(run)
        outcome = Outcome(name, True, time.monotonic() - started)
    except JourneySkipped as skipped:
        outcome = Outcome(name, True, time.monotonic() - started, str(skipped), skipped=True)
    except Exception as error:  # a journey's failure is reported, not raised
        detail = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        outcome = Outcome(name, False, time.monotonic() - started, detail)
        outcome.no_widget = isinstance(error, WidgetMissing)
        if not isinstance(error, AssertionError):
            outcome.detail += "\n" + traceback.format_exc(limit=2)
    shot = run.shots / f"{name}.png" if run.shots else None
    outcome.screenshot = shot if shot is not None and shot.exists() else None
    return outcome


def check_may_book(
    service: str | None, token: str | None, read_only: bool, property_slug: str | None = None
) -> bool:
    """Whether booking journeys may run: only against a service whose testing API accepts
    ``token`` (test mode never runs beside a live Stripe key), and whose widget for
    ``property_slug`` (when known) does not take payments with a live Stripe key."""
    if read_only:
        return False
    if not service or not token:
        raise JourneysRefused(
            "refusing to book: give the service's testing token (--token, or "
            "INNKEEP_TESTING_TOKEN) of a deployment in test mode, or --read-only"
        )
    try:
        TestingApi(service, token).emails("qa-journeys-probe")
    except TestingApiError as error:
        if "test property" not in str(error):  # a 404 from the API itself is a yes
            raise JourneysRefused(
                f"refusing to book: {service} is not in test mode for this token ({error}); "
                "use --read-only"
            ) from None
    except OSError as error:
        raise JourneysRefused(f"refusing to book: {service} does not answer ({error})") from None
    if property_slug:
        refuse_live_key(service, property_slug)
    return True


_CONFIG = re.compile(r'<script[^>]*id="innkeep-config"[^>]*>(.*?)</script>', re.S)


def refuse_live_key(service: str, property_slug: str) -> None:
    """Refuse when the property's widget page carries a live Stripe publishable key: its
    payments would be real, whatever the testing API says."""
    url = f"{service.rstrip('/')}/embed/{quote(property_slug)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - the caller's
            page = answer.read().decode("utf-8", "replace")
    except (OSError, urllib.error.HTTPError):
        return  # no widget page: the journeys will say so themselves
    found = _CONFIG.search(page)
    config = json.loads(html_module.unescape(found.group(1))) if found else {}
    key = str(config.get("stripe_publishable_key") or "")
    if key.startswith(("pk_live", "rk_live")):
        raise JourneysRefused(
            f"refusing to book: the widget of {property_slug!r} on {service} takes real "
            f"payments (a live Stripe key, {key[:8]}…); use a test-mode deployment or "
            "--read-only"
        )


def _mark(o: Outcome) -> str:
    return "SKIP" if o.skipped else "PASS" if o.passed else "FAIL"


def report(run: Run) -> str:
    """The readable report: a line per journey, the reason under each failure or skip."""
    lines = [f"Innkeep journeys on {run.site}"]
    for o in run.outcomes:
        lines.append(f"  {_mark(o)}  {o.name:<32} {o.seconds:5.1f}s")
        if not o.passed or o.skipped:
            lines += [f"        {line}" for line in o.detail.splitlines()]
        if o.screenshot and not o.passed:
            lines.append(f"        screenshot: {o.screenshot}")
    failed = sum(not o.passed for o in run.outcomes)
    skipped = sum(o.skipped for o in run.outcomes)
    read_only = "" if run.may_book else " (read-only: journeys that book were not run)"
    lines.append(
        f"Cleaned up: {len(run.cancelled)} booking(s) cancelled, {run.released} hold(s) released"
    )
    lines.append(
        f"{len(run.outcomes) - failed - skipped} passed, {failed} failed, "
        f"{skipped} skipped{read_only}"
    )
    return "\n".join(lines)


def junit(run: Run) -> str:
    """The outcomes as JUnit XML (a skipped journey is ``<skipped>``)."""
    cases = []
    for o in run.outcomes:
        body = (
            f"<skipped message={quoteattr(o.detail)}/>"
            if o.skipped
            else ""
            if o.passed
            else f"<failure message={quoteattr(o.detail)}/>"
        )
        cases.append(
            f'<testcase classname="innkeep.journeys" name={quoteattr(o.name)} '
            f'time="{o.seconds:.2f}">{body}</testcase>'
        )
    failed = sum(not o.passed for o in run.outcomes)
    skipped = sum(o.skipped for o in run.outcomes)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name={quoteattr("innkeep journeys")}'
        f' tests="{len(run.outcomes)}" failures="{failed}" skipped="{skipped}">'
        f"{''.join(cases)}</testsuite>\n"
    )


def html(run: Run) -> str:
    """The outcomes as a small HTML page with each journey's last screenshot (kept in the
    folder named like the page, beside it)."""
    rows = "".join(
        f"<tr><td>{_mark(o)}</td><td>{escape(o.name)}</td>"
        f"<td><pre>{escape(o.detail)}</pre>"
        + (
            f'<img src="{escape(o.screenshot.parent.name + "/" + o.screenshot.name)}" '
            f'alt="{escape(o.name)} at its end" width="400">'
            if o.screenshot
            else ""
        )
        + "</td></tr>"
        for o in run.outcomes
    )
    return (
        f"<!doctype html><meta charset=utf-8><title>Innkeep journeys</title>"
        f"<h1>Innkeep journeys on {escape(run.site)}</h1><table>{rows}</table>"
    )
