"""A guest's whole path in the widget: dates, party, room, details, payment and the booking;
and what they are told when another guest or the clock gets there first."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from e2e.conftest import Deployment, apply_property
from e2e.widget_steps import (
    assert_accessible,
    events,
    fill_guest,
    night,
    pick_dates,
    room,
    widget_frame,
)

HOLDS = "/holds"
CHECKOUT = "/checkout"
CONFIRM = "/confirm"
BOOKINGS = "/api/v1/bookings/{reference}"


def choose(frame: Frame, slug: str) -> None:
    room(frame, slug).get_by_test_id("choose").click()


def test_a_guest_books_with_the_demo_provider(
    page: Page, deployment: Deployment, stays: Any, booking_widget: Any
) -> None:
    deployment.needs(HOLDS, CHECKOUT, CONFIRM, BOOKINGS)
    page.goto(deployment.page())
    widget = booking_widget(page)  # the QA kit's page object (docs/qa.md)
    frame = widget.frame
    check_in, check_out = stays(3)
    widget.pick_stay(check_in, check_out, adults=2, children_ages=[8])

    twin = widget.room("twin")
    twin.get_by_test_id("breakdown").locator("summary").click()
    breakdown = twin.get_by_test_id("breakdown")
    # Each rule's effect, and what is paid now and at the property.
    expect(breakdown).to_contain_text("Base price")  # the base rate, named in the language
    expect(breakdown).to_contain_text("cleaning fee")
    expect(breakdown).to_contain_text("Paid at the property")
    expect(breakdown).to_contain_text("Paid now")
    total_text = twin.get_by_test_id("total").inner_text()

    widget.choose_room("twin")
    expect(widget.countdown()).to_contain_text(re.compile(r"\d+:\d\d"))
    widget.choose_plan()  # nothing to choose where the widget shows no plans
    widget.fill_guest()
    with page.expect_response(lambda r: r.url.endswith(CONFIRM)) as confirmed:
        widget.pay()
    reference = widget.expect_confirmation()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{4}", reference)
    expect(frame.get_by_test_id("confirmation")).to_contain_text(total_text)

    # The host page heard of it, with nothing personal and no secret in it.
    page.wait_for_function("recorded.some(e => e.type === 'booked')")
    booked = events(page, "booked")[0]["detail"]
    assert set(booked) == {"version", "reference", "total", "currency"}
    assert booked["reference"] == reference and booked["currency"] == "EUR"
    assert page.evaluate("heard") == [booked]  # Innkeep('on', 'booked', …) queued before load
    for event in events(page):
        text = json.dumps(event["detail"])
        assert "ada@example.com" not in text and "Ada" not in text and "token" not in text

    # The service's own answer agrees with what the guest was shown.
    answer = confirmed.value.json()
    assert answer["status"] == "confirmed" and answer["reference"] == reference
    assert answer["check_in"] == check_in and answer["check_out"] == check_out

    # The guest's manage link (as in the e-mail) reads the booking through the public API.
    link = urlsplit(frame.get_by_test_id("manage-link").get_attribute("href") or "")
    assert link.path == f"/manage/{reference}"
    read = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(link.query)["key"][0]},
    )
    assert read.status == 200, read.text()
    assert read.json()["reference"] == reference
    stranger = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": "not-the-secret"},
    )
    assert stranger.status == 404


def test_the_server_decides_on_the_address_and_a_name_in_any_script_is_kept(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS, CHECKOUT, CONFIRM, BOOKINGS)
    page.goto(deployment.page())
    frame = widget_frame(page)
    pick_dates(frame, *stays(2))
    choose(frame, "twin")
    name = "محمد «Zoë» O'Brien 👩\u200d👩\u200d👧"
    # Past the widget's loose check (something@something), refused by the server's rule.
    fill_guest(frame, name=name, email="ada@localhost")
    frame.get_by_test_id("pay").click()
    email = frame.get_by_test_id("guest-email")
    expect(frame.get_by_test_id("error")).to_contain_text("guest.email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    email.fill("ada@example.com")
    frame.get_by_test_id("pay").click()
    expect(frame.get_by_test_id("confirmation")).to_be_visible()
    reference = frame.get_by_test_id("booking-reference").inner_text()
    link = urlsplit(frame.get_by_test_id("manage-link").get_attribute("href") or "")
    read = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(link.query)["key"][0]},
    )
    assert read.json()["guest"]["name"] == name


def test_the_details_and_payment_form_passes_an_accessibility_check(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS)
    page.goto(deployment.page())
    frame = widget_frame(page)
    pick_dates(frame, *stays())
    choose(frame, "twin")
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    frame.get_by_test_id("pay").click()  # nothing filled in: the form says what is missing
    expect(frame.get_by_test_id("error")).to_contain_text("Full name")
    expect(frame.get_by_test_id("guest-name")).to_be_focused()
    assert_accessible(frame)


def test_two_guests_race_for_the_last_unit(
    browser: Browser, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS)
    check_in, check_out = stays()
    first, second = browser.new_context(), browser.new_context()
    try:
        pages = [first.new_page(), second.new_page()]
        frames = []
        for page in pages:
            page.goto(deployment.page())
            frame = widget_frame(page)
            pick_dates(frame, check_in, check_out)
            expect(room(frame, "last-room")).to_be_visible()
            frames.append(frame)

        choose(frames[0], "last-room")
        expect(frames[0].get_by_test_id("countdown")).to_be_visible()
        choose(frames[1], "last-room")

        # The second guest is told plainly and offered what is still free.
        error = frames[1].get_by_test_id("error")
        expect(error).to_contain_text("just taken")
        expect(room(frames[1], "last-room")).to_have_count(0)
        expect(room(frames[1], "twin")).to_be_visible()
        expect(frames[1].get_by_test_id("countdown")).to_be_hidden()
        assert [e["detail"]["code"] for e in events(pages[1], "error")] == ["taken"]

        if all(any(p.endswith(e) for p in deployment.paths) for e in (CHECKOUT, CONFIRM)):
            fill_guest(frames[0])
            frames[0].get_by_test_id("pay").click()
            expect(frames[0].get_by_test_id("booking-reference")).to_be_visible()
    finally:
        first.close()
        second.close()


def test_choosing_another_room_lets_the_first_one_go(
    browser: Browser, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS)
    check_in, check_out = stays()
    first, second = browser.new_context(), browser.new_context()
    try:
        one, other = first.new_page(), second.new_page()
        one.goto(deployment.page())
        frame = widget_frame(one)
        pick_dates(frame, check_in, check_out)
        choose(frame, "last-room")
        expect(frame.get_by_test_id("countdown")).to_be_visible()
        choose(frame, "twin")
        expect(room(frame, "twin").get_by_test_id("choose")).to_have_attribute(
            "aria-pressed", "true"
        )

        # The other guest can now have the last room.
        other.goto(deployment.page())
        frame = widget_frame(other)
        pick_dates(frame, check_in, check_out)
        choose(frame, "last-room")
        expect(frame.get_by_test_id("countdown")).to_be_visible()
        expect(frame.get_by_test_id("error")).to_be_hidden()
    finally:
        first.close()
        second.close()


def test_leaving_the_page_releases_the_hold(
    browser: Browser, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS, "/release")
    check_in, check_out = stays()
    first, second = browser.new_context(), browser.new_context()
    try:
        leaving = first.new_page()
        leaving.goto(deployment.page())
        frame = widget_frame(leaving)
        pick_dates(frame, check_in, check_out)
        choose(frame, "last-room")
        expect(frame.get_by_test_id("countdown")).to_be_visible()
        leaving.goto("about:blank")  # the beacon goes as the page goes

        other = second.new_page()
        other.goto(deployment.page())
        frame = widget_frame(other)
        pick_dates(frame, check_in, check_out)
        choose(frame, "last-room")
        expect(frame.get_by_test_id("countdown")).to_be_visible()
    finally:
        first.close()
        second.close()


def test_an_expired_hold_releases_the_room_and_says_so(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS)
    api = deployment.api
    if api is None:
        pytest.skip("moves the property's clock: needs the testing API's token")
    # A property of its own: moving its clock must not end other tests' holds.
    slug = deployment.new_property()
    page.clock.install()  # the widget's countdown runs on the page's clock: move it too
    page.goto(deployment.page(slug=slug))
    frame = widget_frame(page)
    check_in, check_out = stays()
    pick_dates(frame, check_in, check_out)
    choose(frame, "last-room")
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    frame.get_by_test_id("guest-name").fill("Grace Hopper")
    page.wait_for_function("recorded.some(e => e.type === 'hold')")
    expires = datetime.fromisoformat(events(page, "hold")[-1]["detail"]["expires_at"])
    left = (expires - datetime.now(UTC)).total_seconds() + 2
    # The hold's time passes, for the service (that property only) and for the guest.
    api.advance_clock(slug, math.ceil(left))
    page.clock.fast_forward(math.ceil(left * 1000))
    expect(frame.get_by_test_id("error")).to_contain_text("run out")
    # The room is free again and offered again; what was typed is still there.
    expect(room(frame, "last-room")).to_be_visible()
    expect(frame.get_by_test_id("countdown")).to_be_hidden()
    choose(frame, "last-room")
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    expect(frame.get_by_test_id("guest-name")).to_have_value("Grace Hopper")


def test_a_booking_made_with_the_keyboard_alone(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS, CHECKOUT, CONFIRM)
    page.goto(deployment.page())
    frame = widget_frame(page)
    check_in, check_out = stays(2)
    keys = page.keyboard

    # Into the widget: adults, children, the month buttons, then the calendar grid.
    frame.get_by_test_id("adults").focus()
    for _ in range(6):
        keys.press("Tab")
        if frame.evaluate("document.activeElement.dataset.testid") == "night":
            break
    focused = frame.evaluate("document.activeElement.dataset.date")
    days = (date.fromisoformat(check_in) - date.fromisoformat(focused)).days
    assert days >= 0
    for _ in range(days // 7):
        keys.press("ArrowDown")
    for _ in range(days % 7):
        keys.press("ArrowRight")
    expect(night(frame, check_in)).to_be_focused()
    keys.press("Enter")
    for _ in range((date.fromisoformat(check_out) - date.fromisoformat(check_in)).days):
        keys.press("ArrowRight")
    expect(night(frame, check_out)).to_be_focused()
    keys.press("Enter")

    # Focus moves to the rooms; the extras, the first room's plans, its details, then its
    # Choose button.
    expect(frame.locator("#rooms-h")).to_be_focused()
    passed = []
    for _ in range(5):
        keys.press("Tab")
        passed.append(
            frame.evaluate(
                "(e => e.dataset.testid || e.tagName.toLowerCase())(document.activeElement)"
            )
        )
    assert passed == ["extra", "plan", "plan", "summary", "choose"], passed
    expect(room(frame, "last-room").get_by_test_id("choose")).to_be_focused()
    keys.press("Enter")

    expect(frame.locator("#details-h")).to_be_focused()
    for text in ("Alan Turing", "alan@example.com", "+44 20 0000 0000", ""):
        keys.press("Tab")
        if text:
            keys.type(text)
    keys.press("Tab")
    expect(frame.get_by_test_id("accept-policy")).to_be_focused()
    keys.press("Space")
    keys.press("Tab")  # the demo's test card, the success card filled in
    expect(frame.get_by_test_id("card-number")).to_be_focused()
    keys.press("Tab")
    expect(frame.get_by_test_id("pay")).to_be_focused()
    keys.press("Enter")
    expect(frame.get_by_test_id("booking-reference")).to_be_visible()
    expect(frame.locator("#done-h")).to_be_focused()


def test_a_changed_price_is_said_plainly_and_the_new_one_can_be_taken(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    deployment.needs(HOLDS)
    deployment.needs_command_line()  # the owner edits the property file in place
    slug = f"{deployment.slug}-price"
    apply_property(slug, deployment.host, deployment.data_dir)
    page.goto(deployment.page(slug=slug))
    frame = widget_frame(page)
    pick_dates(frame, *stays())
    twin = room(frame, "twin")
    shown = twin.get_by_test_id("total").inner_text()

    # The owner raises the price while the guest looks at the old one.
    apply_property(
        slug, deployment.host, deployment.data_dir, {"base_price = 120.00": "base_price = 150.00"}
    )
    choose(frame, "twin")
    error = frame.get_by_test_id("error")
    expect(error).to_contain_text("price of this stay has changed")
    expect(frame.get_by_test_id("countdown")).to_be_hidden()
    new_total = twin.get_by_test_id("total").inner_text()
    assert new_total != shown and new_total in error.inner_text()

    # Choosing again accepts the new price.
    choose(frame, "twin")
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    page.wait_for_function("recorded.some(e => e.type === 'hold')")
    held = events(page, "hold")[-1]["detail"]
    assert held["total"] == int(re.sub(r"\D", "", new_total))  # "€323.00" → 32300 cents
