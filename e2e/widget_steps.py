"""What a guest does in the widget, as small steps the tests share."""

from __future__ import annotations

import re
import time
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page, expect

EMBED = re.compile(r"/embed/")


def widget_frame(page: Page, index: int = 0, timeout: float = 15_000) -> Frame:
    """The widget's frame (the n-th on the page); waits until the loader has created it."""
    deadline = time.monotonic() + timeout / 1000
    frames: list[Frame] = []
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if EMBED.search(f.url)]
        if len(frames) > index:
            break
        page.wait_for_timeout(50)
    assert len(frames) > index, f"no widget frame {index} on {page.url}"
    frame = frames[index]
    expect(priced_nights(frame).first).to_be_visible(timeout=timeout)
    return frame


def priced_nights(frame: Frame) -> Any:
    return frame.locator("[data-testid=night]:not(.past):not(.sold-out) .price:not(:empty)")


def night(frame: Frame, day: str) -> Any:
    return frame.locator(f'[data-testid=night][data-date="{day}"]')


def show_month_of(frame: Frame, day: str) -> None:
    """Step forward through the months until ``day`` is shown."""
    for _ in range(24):
        if night(frame, day).count():
            return
        frame.get_by_test_id("next-month").click()
    raise AssertionError(f"{day} never appeared in the calendar")


def pick_dates(frame: Frame, check_in: str, check_out: str) -> None:
    show_month_of(frame, check_in)
    night(frame, check_in).click()
    show_month_of(frame, check_out)
    night(frame, check_out).click()
    expect(frame.get_by_test_id("room-type").first).to_be_visible()


def room(frame: Frame, slug: str) -> Any:
    return frame.locator(f'[data-testid=room-type][data-slug="{slug}"]')


def fill_guest(frame: Frame, name: str = "Ada Lovelace", email: str = "ada@example.com") -> None:
    frame.get_by_test_id("guest-name").fill(name)
    frame.get_by_test_id("guest-email").fill(email)
    frame.get_by_test_id("guest-phone").fill("+39 0185 000000")
    frame.get_by_test_id("accept-policy").check()


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
