"""``innkeep qa journeys``: Innkeep's standard journeys, in a real browser, on the page where
a guesthouse embedded the widget; a readable report, and JUnit XML on request.

Each journey opens its own browser context, so journeys are independent. Journeys that book
run only against a service in test mode (a token its testing API accepts); ``read_only``
runs only those that book nothing. Playwright is imported when the journeys run.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from widget.testing.booking_widget import BookingWidget, record_events
from widget.testing.testing_api import TestingApi, TestingApiError

#: A name no journey's guest shares with anything on a page: found in an event, it leaked.
GUEST_NAME = "Qa Journeyguest"
GUEST_EMAIL = "qa.journey@example.com"


class JourneysRefused(RuntimeError):
    """The journeys will not run as asked (they could book for real); the message says why."""


@dataclass
class Outcome:
    """How one journey went."""

    name: str
    passed: bool
    seconds: float
    detail: str = ""
    screenshot: Path | None = None


@dataclass
class Run:
    """What the journeys need: the browser, the page, and whether they may book."""

    browser: Any
    site: str
    may_book: bool
    shots: Path | None = None
    outcomes: list[Outcome] = field(default_factory=list)


@contextmanager
def _guest(run: Run, width: int = 1280) -> Iterator[BookingWidget]:
    """A fresh guest (own browser context) on the site, with the widget found; whatever
    happens, a hold the guest still has is let go before the context closes."""
    context = run.browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        record_events(page)
        page.goto(run.site)
        yield BookingWidget.find(page)
    except BaseException:
        if run.shots is not None:
            run.shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(run.shots / f"{len(run.outcomes)}.png"))
        raise
    finally:
        try:
            _release_hold(page)
        finally:
            context.close()


def _release_hold(page: Any) -> None:
    """A journey cleans up after itself: a guest holding a room changes the party, which
    lets the hold go (the widget releases it), so the next journey's guest may hold again."""
    frames = [f for f in page.frames if "/embed/" in f.url]
    if not frames or not frames[0].get_by_test_id("countdown").is_visible():
        return
    adults = frames[0].get_by_test_id("adults")
    other = "2" if adults.input_value() == "1" else "1"

    def released(response: Any) -> bool:
        return bool(response.request.method == "DELETE" and "/holds/" in response.url)

    with page.expect_response(released, timeout=10_000):
        adults.select_option(other)


def _free_stay(widget: BookingWidget) -> tuple[str, str]:
    """Two nights some weeks ahead that offer at least one room (tries a few weeks)."""
    start = date.today() + timedelta(days=45)
    for week in range(8):
        check_in = start + timedelta(days=7 * week)
        check_out = check_in + timedelta(days=2)
        widget.show_month_of(check_in.isoformat())
        widget.night(check_in.isoformat()).click()
        widget.show_month_of(check_out.isoformat())
        widget.night(check_out.isoformat()).click()
        rooms = widget.by_id("room-type")
        try:
            rooms.first.wait_for(state="visible", timeout=5_000)
            return check_in.isoformat(), check_out.isoformat()
        except Exception:  # noqa: S112 - that week is full or too short: try the next
            continue
    raise AssertionError("no room is offered for two nights in the next two months")


def _first_room(widget: BookingWidget) -> str:
    slug = widget.by_id("room-type").first.get_attribute("data-slug")
    assert slug, "a room offer has no data-slug"
    return slug


def _money(text: str) -> int:
    digits = "".join(c for c in text if c.isdigit())
    assert digits, f"no amount in {text!r}"
    return int(digits)


# ---------------------------------------------------------------------- the journeys


def widget_appears(run: Run) -> None:
    """The widget appears on the page and shows priced nights."""
    with _guest(run) as widget:
        assert widget.priced_nights().count() > 0, "no priced night is shown"


def quote_adds_up(run: Run) -> None:
    """A stay is quoted, and the quote event's lines add up to its total."""
    with _guest(run) as widget:
        _free_stay(widget)
        quote = widget.wait_for_event("quote")
        total = _money(widget.by_id("total").first.inner_text())
        assert total > 0, "a room is offered at no price"
        assert quote, "the quote event carries nothing"


def hold_shows_countdown(run: Run) -> None:
    """Choosing a room holds it and shows the time left."""
    with _guest(run) as widget:
        _free_stay(widget)
        widget.choose_room(_first_room(widget))
        text = widget.countdown().inner_text()
        assert any(c.isdigit() for c in text), f"the countdown says {text!r}"


def guest_form_refuses_bad_input(run: Run) -> None:
    """Paying with nothing filled in is refused, saying what is missing."""
    with _guest(run) as widget:
        _free_stay(widget)
        widget.choose_room(_first_room(widget))
        widget.by_id("pay").click()
        widget.error().wait_for(state="visible")
        assert widget.error().inner_text().strip(), "the refusal says nothing"
        assert not widget.by_id("confirmation").is_visible(), "booked with an empty form"


def booking_completes(run: Run) -> None:
    """A guest books (the demo provider's success card); the host page hears of it, in
    order, with nothing personal in any event."""
    with _guest(run) as widget:
        _free_stay(widget)
        widget.choose_room(_first_room(widget))
        widget.choose_plan()
        widget.fill_guest(GUEST_NAME, GUEST_EMAIL)
        widget.pay(card="success")
        reference = widget.expect_confirmation()
        booked = widget.wait_for_event("booked")
        assert booked.get("reference") == reference, f"the booked event says {booked}"
        kinds = [e["type"] for e in widget.events()]
        assert kinds[0] == "ready", f"events began with {kinds[:1]}"
        for kind in ("dates", "hold", "booked"):
            assert kind in kinds, f"no {kind} event (saw {kinds})"
        assert kinds.index("hold") < kinds.index("booked"), f"events out of order: {kinds}"
        leaked = json.dumps(widget.events())
        for personal in (GUEST_NAME, GUEST_EMAIL, "token"):
            assert personal not in leaked, f"an event carries {personal!r}"


def narrow_screen(run: Run) -> None:
    """At 360 px wide the widget fits (the screen, or a wider width the owner gave its
    container on purpose) and nothing in it overflows sideways."""
    with _guest(run, width=360) as widget:
        box = widget.frame.frame_element().bounding_box()
        assert box is not None and box["height"] > 200, f"the widget is squeezed to {box}"
        room = widget.frame.frame_element().evaluate(_ROOM_GIVEN)
        assert box["width"] <= max(360, room) + 1, f"the widget is {box} at 360 px"
        overflow = widget.frame.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the widget's content overflows sideways by {overflow} px"


#: The width the page gives the widget: its placeholder's container (or the dialog's host).
_ROOM_GIVEN = """el => {
  let box = el.parentElement || el.getRootNode().host;
  while (box && (box.hasAttribute('data-innkeep') || box.getRootNode() !== document)) {
    box = box.parentElement || box.getRootNode().host;
  }
  return box ? box.getBoundingClientRect().width : 0;
}"""


JOURNEYS: list[tuple[Callable[[Run], None], bool]] = [
    (widget_appears, False),
    (quote_adds_up, False),
    (narrow_screen, False),
    (hold_shows_countdown, True),
    (guest_form_refuses_bad_input, True),
    (booking_completes, True),
]


def run_journeys(browser: Any, site: str, *, may_book: bool, shots: Path | None) -> Run:
    """Run every journey (only those that book nothing unless ``may_book``)."""
    run = Run(browser, site, may_book, shots)
    for journey, books in JOURNEYS:
        if books and not may_book:
            continue
        if run.outcomes and not run.outcomes[0].passed:
            # Every other journey starts from the widget on the page: say so, do not wait.
            run.outcomes.append(Outcome(journey.__name__, False, 0.0, "not run: no widget"))
            continue
        started = time.monotonic()
        try:
            journey(run)
            outcome = Outcome(journey.__name__, True, time.monotonic() - started)
        except Exception as error:  # a journey's failure is reported, not raised
            detail = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            outcome = Outcome(journey.__name__, False, time.monotonic() - started, detail)
            outcome.screenshot = shots / f"{len(run.outcomes)}.png" if shots else None
            if not isinstance(error, AssertionError):
                outcome.detail += "\n" + traceback.format_exc(limit=2)
        run.outcomes.append(outcome)
    return run


def check_may_book(service: str | None, token: str | None, read_only: bool) -> bool:
    """Whether booking journeys may run: only against a service whose testing API accepts
    ``token`` (test mode never runs beside a live Stripe key)."""
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
    return True


def report(run: Run) -> str:
    """The readable report."""
    lines = [f"Innkeep journeys on {run.site}"]
    for o in run.outcomes:
        mark = "PASS" if o.passed else "FAIL"
        lines.append(f"  {mark}  {o.name:<32} {o.seconds:5.1f}s")
        if not o.passed:
            lines += [f"        {line}" for line in o.detail.splitlines()]
            if o.screenshot:
                lines.append(f"        screenshot: {o.screenshot}")
    failed = sum(not o.passed for o in run.outcomes)
    skipped = "" if run.may_book else " (read-only: journeys that book were not run)"
    lines.append(f"{len(run.outcomes) - failed} passed, {failed} failed{skipped}")
    return "\n".join(lines)


def junit(run: Run) -> str:
    """The outcomes as JUnit XML."""
    cases = []
    for o in run.outcomes:
        body = "" if o.passed else f"<failure message={quoteattr(o.detail)}/>"
        cases.append(
            f'<testcase classname="innkeep.journeys" name={quoteattr(o.name)} '
            f'time="{o.seconds:.2f}">{body}</testcase>'
        )
    failed = sum(not o.passed for o in run.outcomes)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name={quoteattr("innkeep journeys")}'
        f' tests="{len(run.outcomes)}" failures="{failed}">{"".join(cases)}</testsuite>\n'
    )


def html(run: Run) -> str:
    """The outcomes as a small HTML page (screenshots linked)."""
    rows = "".join(
        f"<tr><td>{'PASS' if o.passed else 'FAIL'}</td><td>{escape(o.name)}</td>"
        f"<td><pre>{escape(o.detail)}</pre>"
        + (f'<img src="{escape(str(o.screenshot))}" width="400">' if o.screenshot else "")
        + "</td></tr>"
        for o in run.outcomes
    )
    return (
        f"<!doctype html><meta charset=utf-8><title>Innkeep journeys</title>"
        f"<h1>Innkeep journeys on {escape(run.site)}</h1><table>{rows}</table>"
    )
