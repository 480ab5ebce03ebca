"""What every journey of ``innkeep qa journeys`` stands on: the run, a fresh guest on the
site, and the guest's clean-up (a booking cancelled on its manage page, a hold let go).

Playwright objects are typed ``Any``: this module is imported by the journeys only, which
the command imports once Playwright is known to be installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from widget.testing.booking_widget import BookingWidget, record_events
from widget.testing.fake_stripe import use_fake_stripe

#: A name no journey's guest shares with anything on a page: found in an event, it leaked.
GUEST_NAME = "Qa Journeyguest"
GUEST_EMAIL = "qa.journey@example.com"
GUEST_PHONE = "+39 0185 777 123"
GUEST_NOTE = "Qa journey note: a quiet room"
#: Everything a journey's guest types: none of it may reach the host page in an event.
GUEST_TYPED = (GUEST_NAME, GUEST_EMAIL, GUEST_PHONE, GUEST_NOTE)

#: A guest's window, unless a journey asks for another width.
PLAIN_WIDTH = 1280

#: The width the page gives the widget: its placeholder's container (or the dialog's host).
ROOM_GIVEN = """el => {
  let box = el.parentElement || el.getRootNode().host;
  while (box && (box.hasAttribute('data-innkeep') || box.getRootNode() !== document)) {
    box = box.parentElement || box.getRootNode().host;
  }
  if (!box) return 0;
  const css = getComputedStyle(box);
  return box.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
}"""


class JourneySkipped(Exception):
    """The journey does not apply to this page or browser; the message says why."""


class WidgetMissing(AssertionError):
    """A guest on the page as it is (no throttling, no added style, the usual width) found
    no working widget: the journeys after this one are not run (they all start there)."""


@dataclass
class Outcome:
    """How one journey went."""

    name: str
    passed: bool
    seconds: float
    detail: str = ""
    screenshot: Path | None = None
    skipped: bool = False
    #: It failed because a plain guest found no widget on the page (`WidgetMissing`).
    no_widget: bool = False


@dataclass
class Run:
    """What the journeys need: the browser, the page, whether they may book, and (optional)
    the property whose widget they use and where screenshots go."""

    browser: Any
    site: str
    may_book: bool
    shots: Path | None = None
    property_slug: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    #: A local Stripe stand-in's URL: Stripe.js is the kit's fake, talking to it (CI only).
    stripe_standin: str | None = None
    #: The journey running now (names its screenshot).
    current: str = ""
    #: What the journeys cleaned up: booking references cancelled, holds released.
    cancelled: list[str] = field(default_factory=list)
    released: int = 0

    def shot_path(self) -> Path | None:
        """Where the running journey's screenshot goes, when screenshots were asked for."""
        if self.shots is None:
            return None
        self.shots.mkdir(parents=True, exist_ok=True)
        return self.shots / f"{self.current or len(self.outcomes)}.png"


@contextmanager
def open_site(run: Run, width: int = PLAIN_WIDTH) -> Iterator[Any]:
    """A fresh guest's page on the site (own browser context, events recorded), not yet
    looking for the widget; screenshot at the end on request; always cleaned up."""
    context = run.browser.new_context(viewport={"width": width, "height": 900})
    if run.stripe_standin:
        use_fake_stripe(context, run.stripe_standin)
    page = context.new_page()
    try:
        record_events(page)
        yield page
    finally:
        try:
            shot = run.shot_path()
            if shot is not None:
                page.screenshot(path=str(shot))
            clean_up(run, page)
        finally:
            context.close()


@contextmanager
def guest(run: Run, width: int = PLAIN_WIDTH) -> Iterator[BookingWidget]:
    """A fresh guest on the site with the widget found (of ``run.property_slug`` when
    given); whatever happens, what the guest booked or holds is undone."""
    with open_site(run, width) as page:
        page.goto(run.site)
        try:
            widget = find_widget(run, page)
        except AssertionError as error:
            if width != PLAIN_WIDTH:  # at another width it is that journey's failure
                raise
            raise WidgetMissing(str(error)) from None
        yield widget


def find_widget(run: Run, page: Any, timeout: float = 15_000) -> BookingWidget:
    """The widget on the page (the property's, when the run names one)."""
    return BookingWidget.find(page, timeout=timeout, slug=run.property_slug)


def clean_up(run: Run, page: Any) -> None:
    """A journey cleans up after itself: a booking it made is cancelled on its manage page;
    a room it holds is let go."""
    frames = [f for f in page.frames if "/embed/" in f.url]
    if not frames or page.is_closed():
        return
    frame = frames[0]
    manage = frame.get_by_test_id("manage-link")
    if manage.count() and manage.first.is_visible():
        reference = frame.get_by_test_id("booking-reference").inner_text().strip()
        cancel_on_manage_page(page.context, manage.first.get_attribute("href") or "")
        run.cancelled.append(reference)
    elif frame.get_by_test_id("countdown").is_visible():
        release_hold(page, frame)
        run.released += 1


def cancel_on_manage_page(context: Any, url: str) -> None:
    """Cancel a booking as its guest would: the manage link, the cancel button."""
    assert url, "the confirmation's manage link has no address"
    manage = context.new_page()
    try:
        manage.goto(url)
        manage.get_by_test_id("cancel-booking").click()
        manage.get_by_test_id("cancelled-notice").wait_for(state="visible", timeout=15_000)
    finally:
        manage.close()


def release_hold(page: Any, frame: Any) -> None:
    """A guest holding a room changes the party, which lets the hold go (the widget releases
    it), so the next journey's guest may hold again."""
    adults = frame.get_by_test_id("adults")
    other = "2" if adults.input_value() == "1" else "1"

    def released(response: Any) -> bool:
        return bool(response.request.method == "DELETE" and "/holds/" in response.url)

    with page.expect_response(released, timeout=10_000):
        adults.select_option(other)


def free_stay(widget: BookingWidget, timeout: float = 5_000) -> tuple[str, str]:
    """Two nights some weeks ahead that offer at least one room (tries a few weeks). Where
    the service fails the widget's quotes (a 5xx), says so at once: no week would do."""
    failed: list[str] = []

    def watch(response: Any) -> None:
        if "/quotes/" in response.url and response.status >= 500:
            failed.append(f"{response.status} to {response.request.method} {response.url}")

    start = date.today() + timedelta(days=45)
    widget.page.on("response", watch)
    try:
        for week in range(8):
            check_in = start + timedelta(days=7 * week)
            check_out = check_in + timedelta(days=2)
            widget.show_month_of(check_in.isoformat())
            widget.night(check_in.isoformat()).click()
            widget.show_month_of(check_out.isoformat())
            widget.night(check_out.isoformat()).click()
            try:
                widget.by_id("room-type").first.wait_for(state="visible", timeout=timeout)
                return check_in.isoformat(), check_out.isoformat()
            except Exception:  # that week is full or too short: try the next
                if failed:
                    raise AssertionError(
                        f"no stay can be quoted: the service answered {failed[0]} "
                        "(the widget offers no room)"
                    ) from None
    finally:
        widget.page.remove_listener("response", watch)
    raise AssertionError("no room is offered for two nights in the next two months")


def first_room(widget: BookingWidget) -> str:
    """The slug of the first room offered."""
    slug = widget.by_id("room-type").first.get_attribute("data-slug")
    assert slug, "a room offer has no data-slug"
    return slug


def hold_a_room(widget: BookingWidget) -> str:
    """Pick a free stay and hold its first room (the countdown shows); the room's slug."""
    free_stay(widget)
    slug = first_room(widget)
    widget.choose_room(slug)
    return slug


def amount(text: str) -> int:
    """An amount as the widget shows it (``€1,234.50``, ``-1.234,50 €``, ``+€10.00``) in
    minor units; a trailing ``(…)`` note is not part of it."""
    shown = text.split("(")[0]
    digits = "".join(c for c in shown if c.isdigit())
    assert digits, f"no amount in {text!r}"
    negative = "-" in shown or "\u2212" in shown
    return -int(digits) if negative else int(digits)
