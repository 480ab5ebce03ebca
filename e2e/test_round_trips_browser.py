"""The widget's first paint in two round trips after the host page (decision 17): the
loader asks for the embed check and the widget page together, the page arrives with its
first priced months, widgets far below the fold wait until they near the viewport, and the
dialog's page is asked for when the guest points at its button."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, Request, Route, expect

from e2e.conftest import Deployment
from e2e.widget_steps import (
    events,
    night,
    priced_nights,
    show_month_of,
    wait_until,
    widget_frame,
)

#: Where the widget page's later parts come from (widget/api/page_assets.py).
PART = "/widget-parts/"
CHECK = re.compile(r"/api/v1/properties/[^/]+/embed$|/api/v1/properties/[^/]+/embed\?")


def _is_widget_page(request: Request) -> bool:
    return "/embed/" in request.url and "/api/" not in request.url


#: The frame the loader put in a placeholder's (open) shadow root, or null.
IN_SPOT = "s => s.shadowRoot.querySelector('iframe')"


def _frame_element(page: Page) -> object:
    return page.get_by_test_id("spot-0").evaluate_handle(IN_SPOT)


def test_the_page_is_asked_for_beside_the_check_and_shown_only_once_allowed(
    page: Page, deployment: Deployment
) -> None:
    held: list[Route] = []
    page.route(CHECK, lambda route: held.append(route))  # the check goes unanswered until we let it
    with page.expect_request(_is_widget_page, timeout=10_000):
        page.goto(deployment.page(), wait_until="domcontentloaded")
    # The check is held, so the page was asked for while it went unanswered; its route
    # may reach this test a moment after the page's request event (Playwright delivers
    # them apart): wait for it rather than expect it already.
    wait_until(page, lambda: len(held) == 1, "the loader asking for the check")
    frame = widget_frame(page)  # drawn with its prices inside the still hidden frame
    element = _frame_element(page)
    assert not page.evaluate("el => el.checkVisibility({visibilityProperty: true})", element)
    assert events(page) == [], "nothing from a frame the check has not allowed yet"
    held[0].continue_()
    page.wait_for_function("el => el.checkVisibility({visibilityProperty: true})", arg=element)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")
    assert frame.get_by_test_id("calendar").is_visible()


def test_a_refusal_after_the_page_was_asked_for_shows_the_notice_never_the_widget(
    page: Page, deployment: Deployment
) -> None:
    """A loader cached before the site was taken off the property's list still asks for the
    page beside the check: the check's refusal wins."""
    held: list[Route] = []
    page.route(CHECK, lambda route: held.append(route))
    with page.expect_request(_is_widget_page, timeout=10_000):
        page.goto(deployment.page(), wait_until="domcontentloaded")
    wait_until(page, lambda: len(held) == 1, "the loader asking for the check")
    widget_frame(page)
    element = _frame_element(page)
    assert not page.evaluate("el => el.checkVisibility({visibilityProperty: true})", element)
    refusal = {
        "allowed": False,
        "widget_url": None,
        "label": "Book now",
        "close": "Close",
        "notice": "This website is not allowed to show bookings for Locanda di Prova.",
    }
    held[0].fulfill(
        status=200,
        content_type="application/json",
        headers={"Access-Control-Allow-Origin": deployment.host},
        body=json.dumps(refusal),
    )
    expect(page.get_by_text("not allowed to show bookings")).to_be_visible()
    page.wait_for_function("recorded.some(e => e.type === 'error')")
    assert not [f for f in page.frames if "/embed/" in f.url]
    assert (
        page.get_by_test_id("spot-0").evaluate("s => s.shadowRoot.querySelector('iframe')") is None
    )
    assert [e["type"] for e in events(page)] == ["error"]


def test_the_widget_draws_its_first_months_without_asking_for_them(
    page: Page, deployment: Deployment
) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(deployment.page())
    widget_frame(page)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")
    assert not [url for url in asked if "/calendar" in url], asked
    # Only the loader, the check and the page: its script and stylesheet are inside it. (The
    # checkout's part is asked for after the first paint: the test below.)
    service = [url for url in asked if url.startswith(deployment.service) and PART not in url]
    assert len(service) == 3, service


def test_a_stay_picked_before_the_checkout_has_arrived_is_priced_once_it_is(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    """The checkout's modules come as a later part, asked for after the first paint: the
    priced calendar does not wait for them, and a guest quicker than they are loses no click."""
    held: list[Route] = []
    page.route(f"**{PART}*", lambda route: held.append(route))
    page.goto(deployment.page())
    frame = widget_frame(page)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")
    expect(priced_nights(frame).first).to_be_visible()
    wait_until(page, lambda: held, "the page asking for the checkout's part")  # after paint
    assert len(held) == 1, "the page did not ask for the checkout's part"
    check_in, check_out = stays()
    show_month_of(frame, check_in)
    night(frame, check_in).click()
    show_month_of(frame, check_out)
    night(frame, check_out).click()
    expect(night(frame, check_out)).to_have_attribute("aria-selected", "true")
    assert frame.get_by_test_id("room-type").count() == 0
    held[0].continue_()
    expect(frame.get_by_test_id("room-type").first).to_be_visible()
    page.wait_for_function("recorded.some(e => e.type === 'quote')")  # priced, told the host


#: Puts a long story of the house before the placeholder, before the loader looks for it.
STORY_FIRST = """document.addEventListener('DOMContentLoaded', () => {
  const story = document.createElement('div');
  story.style.height = '4000px';
  document.querySelector('[data-innkeep]').before(story);
});"""


def test_a_widget_far_below_the_fold_is_framed_as_it_nears_the_viewport(
    page: Page, deployment: Deployment
) -> None:
    page.add_init_script(STORY_FIRST)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    with page.expect_response(CHECK):
        page.goto(deployment.page())
    spot = page.get_by_test_id("spot-0")
    page.wait_for_function("s => s.shadowRoot !== null", arg=spot.element_handle())
    # Two frames of the host page's rendering: the observer has had its say.
    page.evaluate("new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(ok)))")
    assert not [url for url in asked if "/embed/" in url and "/api/" not in url]
    assert events(page) == []
    spot.scroll_into_view_if_needed()
    widget_frame(page)
    page.wait_for_function("recorded.some(e => e.type === 'ready')")


def test_pointing_at_book_now_asks_for_the_dialog_s_page_before_the_click(
    page: Page, deployment: Deployment
) -> None:
    page.goto(deployment.page(mode="dialog"))
    page.wait_for_function("document.body.lastElementChild.tagName === 'DIV'")
    assert not [f for f in page.frames if "/embed/" in f.url]
    size = page.viewport_size
    assert size is not None
    with page.expect_request(_is_widget_page):
        page.mouse.move(size["width"] - 40, size["height"] - 30)  # over the button
    page.mouse.down()
    page.mouse.up()
    frame = widget_frame(page)
    page.wait_for_function("el => el.checkVisibility()", arg=frame.frame_element())
    page.wait_for_function("recorded.some(e => e.type === 'ready')")


def test_a_checkout_part_that_did_not_load_is_asked_for_again(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    """The connection drops while the checkout's part loads after the first paint, and again
    when the guest's pick asks for it: the guest is told, and the next pick asks again."""
    asked: list[str] = []

    def two_lost(route: Route) -> None:
        asked.append(route.request.url)
        if len(asked) <= 2:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(f"**{PART}*", two_lost)
    page.goto(deployment.page())
    frame = widget_frame(page)
    wait_until(page, lambda: asked, "the page asking for the checkout's part")  # after paint
    assert len(asked) == 1
    check_in, check_out = stays()
    show_month_of(frame, check_in)
    night(frame, check_in).click()
    show_month_of(frame, check_out)
    night(frame, check_out).click()
    expect(frame.get_by_test_id("error")).to_be_visible()
    night(frame, check_in).click()
    night(frame, check_out).click()
    expect(frame.get_by_test_id("room-type").first).to_be_visible()
    expect(frame.get_by_test_id("error")).to_be_hidden()
    assert len(asked) == 3, asked
