"""What a guest does in the widget, as small steps the tests share: thin wrappers of the QA
kit's page object (`widget.testing.booking_widget`), so the suite exercises what QA engineers
use and the page object cannot rot."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page

from widget.testing.booking_widget import BookingWidget


def widget_frame(page: Page, index: int = 0, timeout: float = 15_000) -> Frame:
    """The widget's frame (the n-th on the page), shown with its priced nights; a page with a
    "Book now" button has it opened."""
    return BookingWidget.find(page, index=index, timeout=timeout).frame


def widget(frame: Frame) -> BookingWidget:
    return BookingWidget(frame.page, frame)


def priced_nights(frame: Frame) -> Any:
    return frame.locator("[data-testid=night]:not(.past):not(.sold-out) .price:not(:empty)")


def night(frame: Frame, day: str) -> Any:
    return frame.locator(f'[data-testid=night][data-date="{day}"]')


def show_month_of(frame: Frame, day: str) -> None:
    """Step forward through the months until ``day`` is shown."""
    widget(frame).show_month_of(day)


def pick_dates(frame: Frame, check_in: str, check_out: str) -> None:
    widget(frame).pick_stay(check_in, check_out)


def room(frame: Frame, slug: str) -> Any:
    return frame.locator(f'[data-testid=room-type][data-slug="{slug}"]')


def fill_guest(frame: Frame, name: str = "Ada Lovelace", email: str = "ada@example.com") -> None:
    widget(frame).fill_guest(name, email)


def events(page: Page, kind: str | None = None) -> list[dict[str, Any]]:
    """The innkeep:* events the host page received, oldest first."""
    recorded: list[dict[str, Any]] = page.evaluate("window.recorded")
    return [e for e in recorded if kind is None or e["type"] == kind]


def assert_accessible(frame: Frame) -> None:
    """axe-core finds no serious or critical violation in the widget as it is now."""
    results = Axe().run(frame)  # type: ignore[arg-type]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)


def wait_until(page: Page, condition: Callable[[], object], what: str, timeout: float = 10) -> None:
    """Poll ``condition`` (state that Playwright's handlers fill in, such as the routes a
    test holds) until it holds; fail saying ``what`` did not happen by the deadline. Each
    interval lets Playwright deliver its events: a poll on a condition, not a fixed sleep."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        page.wait_for_timeout(20)
