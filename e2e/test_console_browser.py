"""The owner's console in a browser, as an owner walks it: sign in, see tomorrow's arrival
on Today, open the booking and cancel it; block a night in the tape chart with the
keyboard; find a guest, export them, and erase them once their stay is over (the
property's clock moved by the testing API), the booking kept anonymised with its figures.
Someone working at two guesthouses turns on two-factor login and signs in with a recovery
code. axe-core finds no serious or critical violation on any page (the pages of the links
the console e-mails included), and no page is wider than a 360 px phone."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import CONSOLE_PASSWORD, Deployment, add_console_user
from e2e.console_steps import check_page, mailed_link, sign_in

#: Whom the owner invites to the console (the invitation's page is checked).
INVITEE = "invitee@locanda-prova.example.com"


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # 127.0.0.1 only
        return json.loads(response.read())


def book(
    deployment: Deployment, check_in: date, name: str, slug: str | None = None, rooms: int = 1
) -> str:
    """A guest's booking of two nights in a twin room (or ``rooms`` of them, one booking)
    made through the public API with the demo provider (at the suite's property, or at
    ``slug``)."""
    api = f"{deployment.service}/api/v1"
    stay = {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
    }
    party = {"room_type": "twin", "adults": 2, "children": []}
    hold = post_json(
        f"{api}/properties/{slug or deployment.slug}/holds",
        {**stay, **party} if rooms == 1 else {**stay, "rooms": [party] * rooms},
    )
    token = {"X-Hold-Token": hold["token"]}
    guest = {
        "name": name,
        "email": "guest@example.com",
        "phone": "+39 0185 000000",
        "language": "en",
        "note": "Arriving by the evening ferry",
    }
    post_json(
        f"{api}/holds/{hold['id']}/checkout",
        {"guest": guest, "accept_cancellation_policy": True},
        token,
    )
    return str(post_json(f"{api}/holds/{hold['id']}/confirm", {}, token)["reference"])


def test_an_owner_walks_the_console(page: Page, deployment: Deployment, owner: str) -> None:
    # Tomorrow in the property's zone (its "today" is the server's, in that zone), so the
    # booking can still be cancelled under the policy and shows among Today's arrivals.
    rome_tomorrow = datetime.now(ZoneInfo("Europe/Rome")).date() + timedelta(days=1)
    reference = book(deployment, rome_tomorrow, "Giulia Verdi")

    page.goto(f"{deployment.service}/admin/{deployment.slug}/")
    expect(page).to_have_url(re.compile(rf"/admin/login\?next=/admin/{deployment.slug}/?$"))
    check_page(page)
    page.get_by_test_id("login-email").fill(owner)
    page.get_by_test_id("login-password").fill(CONSOLE_PASSWORD)
    page.get_by_test_id("login-submit").click()

    today = page.get_by_test_id("today")
    expect(today).to_be_visible()
    arrival = page.locator(
        f'[data-date="{rome_tomorrow.isoformat()}"] [data-testid="booking-row"]'
        f'[data-reference="{reference}"][data-kind="arrival"]'
    )
    expect(arrival).to_contain_text("Giulia Verdi")
    expect(arrival).to_contain_text("Arriving by the evening ferry")
    check_page(page)

    arrival.get_by_role("link", name="Giulia Verdi").click()
    booking = page.get_by_test_id("booking")
    expect(booking).to_have_attribute("data-status", "confirmed")
    check_page(page)
    page.get_by_test_id("action-cancel").click()
    expect(page.get_by_test_id("cancel-preview")).to_be_visible()
    check_page(page)
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("action-done")).to_be_visible()
    expect(page.get_by_test_id("booking")).to_have_attribute("data-status", "cancelled")

    # Block a night in the tape chart, with the keyboard only.
    month = (rome_tomorrow + timedelta(days=40)).replace(day=1)
    page.goto(f"{deployment.service}/admin/{deployment.slug}/calendar?month={month:%Y-%m}")
    chart = page.get_by_test_id("tape-chart")
    expect(chart).to_be_visible()
    check_page(page)
    night = month.replace(day=10).isoformat()
    free = page.locator(f'[data-testid="tape-free"][data-unit="Twin 3"][data-night="{night}"]')
    free.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("block-first")).to_have_value(night)
    expect(page.get_by_test_id("block-reason")).to_be_focused()
    page.keyboard.type("new curtains")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("calendar-notice")).to_be_visible()
    block = page.locator(f'[data-testid="tape-block"][data-unit="Twin 3"][data-first="{night}"]')
    expect(block).to_contain_text("new curtains")

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()


def test_an_owner_drags_across_nights_to_block_them(
    page: Page, deployment: Deployment, owner: str
) -> None:
    """With a mouse, dragging along a unit's row over free nights fills the block form with
    the first and last of them; the owner gives a reason and the nights are one block."""
    month = (datetime.now(ZoneInfo("Europe/Rome")).date() + timedelta(days=150)).replace(day=1)
    sign_in(page, deployment, owner)
    page.goto(f"{deployment.service}/admin/{deployment.slug}/calendar?month={month:%Y-%m}")
    expect(page.get_by_test_id("drag-hint")).to_be_visible()  # the script runs

    def free(day: int) -> Any:
        night = month.replace(day=day).isoformat()
        return page.locator(f'[data-testid="tape-free"][data-unit="Twin 2"][data-night="{night}"]')

    free(15).scroll_into_view_if_needed()
    start, end = free(12).bounding_box(), free(15).bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=6)
    expect(page.locator("td.dragging")).to_have_count(4)
    page.mouse.up()

    expect(page.get_by_test_id("block-unit")).to_have_value("Twin 2")
    expect(page.get_by_test_id("block-first")).to_have_value(month.replace(day=12).isoformat())
    expect(page.get_by_test_id("block-last")).to_have_value(month.replace(day=15).isoformat())
    expect(page.get_by_test_id("block-reason")).to_be_focused()
    # The release did not pick the night under it: still the page the drag began on.
    assert "night=" not in page.url
    check_page(page)
    page.keyboard.type("floors sanded")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("calendar-notice")).to_be_visible()
    block = page.locator(
        f'[data-testid="tape-block"][data-unit="Twin 2"][data-first="{month:%Y-%m}-12"]'
    )
    expect(block).to_contain_text("floors sanded")
    expect(block).to_have_attribute("colspan", "4")


def test_the_other_console_pages_pass_axe_and_fit_a_phone(
    page: Page, deployment: Deployment, owner: str, stays: Any
) -> None:
    base = f"{deployment.service}/admin/{deployment.slug}"
    check_in = datetime.now(ZoneInfo("Europe/Rome")).date() + timedelta(days=60)
    reference = book(deployment, check_in, "Marco Bianchi")
    group = book(deployment, date.fromisoformat(stays(2)[0]), "Elena Galli", rooms=2)
    page.goto(f"{deployment.service}/admin/reset")
    check_page(page)
    # The owner asks for a link to choose a new password (its page is checked at the end,
    # once the outbox has sent it).
    page.get_by_test_id("reset-email").fill(owner)
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    sign_in(page, deployment, owner)
    # And invites a helper (the invitation's page likewise).
    page.goto(f"{base}/people")
    page.get_by_test_id("invite-email").fill(INVITEE)
    page.get_by_test_id("invite-send").click()
    expect(page.get_by_test_id("people-invited")).to_be_visible()
    stay = f"check_in={check_in + timedelta(days=7)}&check_out={check_in + timedelta(days=9)}"
    for path in (
        "/admin/account",
        f"{base}/people",
        f"{base}/bookings/new?room_type=twin&{stay}&adults=2",
        f"{base}/bookings/{reference}",
        f"{base}/bookings/{reference}/move",
        f"{base}/bookings/{reference}/resend",
        f"{base}/bookings/NO-SUCH",
        f"{base}/rules",
        f"{base}/reports",
        f"{base}/guests",
        f"{base}/channels",
        f"{base}/rooms",
        f"{base}/website",
        f"{base}/bookings/{group}/cancel-room?room=1",
    ):
        page.goto(path if path.startswith("http") else f"{deployment.service}{path}")
        expect(page.locator("main h1")).to_be_visible()
        check_page(page)
    expect(page.get_by_test_id("cancel-room-what")).to_have_attribute("data-room", "1")

    # The pages of the e-mailed links, as their recipients open them.
    for recipient, path, testid in (
        (owner, "/admin/reset/", "reset-password"),
        (INVITEE, "/admin/invite/", "invitation"),
    ):
        link = mailed_link(deployment, recipient, path)
        if link is None:  # a deployment the suite did not start: its e-mails are not here
            continue
        page.goto(link)
        expect(page.get_by_test_id(testid)).to_be_visible()
        check_page(page)


def test_a_member_of_two_guesthouses_signs_in_with_two_factor_login(
    page: Page, deployment: Deployment
) -> None:
    """Staff at the suite's guesthouse and owner of another: their properties listed after
    signing in; two-factor login turned on with the code the authenticator app shows for
    the key on the account page, ten recovery codes shown once; signing in again asks for
    the code after the password, and a recovery code (the phone left at home) lets them in."""
    deployment.needs_command_line()
    other = deployment.new_property()
    member = add_console_user(
        deployment, deployment.slug, "two-houses@locanda-prova.example.com", role="staff"
    )
    add_console_user(deployment, other, member)

    def enter_password() -> None:
        page.get_by_test_id("login-email").fill(member)
        page.get_by_test_id("login-password").fill(CONSOLE_PASSWORD)
        page.get_by_test_id("login-submit").click()

    page.goto(f"{deployment.service}/admin/login")
    enter_password()
    properties = page.get_by_test_id("properties")
    expect(properties.get_by_role("link")).to_have_count(2)

    page.get_by_test_id("nav-account").click()
    secret = page.get_by_test_id("two-factor-secret").inner_text()
    page.get_by_test_id("two-factor-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("two-factor-on").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
    check_page(page)
    recovery = codes.first.inner_text()
    page.get_by_test_id("logout").click()

    enter_password()
    expect(page).to_have_url(re.compile(r"/admin/login/code"))
    check_page(page)
    page.get_by_test_id("login-code").fill(recovery)
    page.get_by_test_id("login-code-submit").click()
    expect(properties.get_by_role("link")).to_have_count(2)
    check_page(page)
    properties.locator(f'a[href="/admin/{deployment.slug}/"]').click()
    expect(page.get_by_test_id("today")).to_be_visible()


def test_an_owner_finds_a_guest_exports_them_and_erases_them_once_their_stay_is_over(
    page: Page, deployment: Deployment
) -> None:
    api = deployment.api
    if api is None:
        pytest.skip("moves a property's clock: needs the testing API's token")
    # A property of this test's own: its clock is moved below, the suite's stays as it is.
    deployment.needs_command_line()
    slug = deployment.new_property()
    owner = add_console_user(deployment, slug, "past-guests@locanda-prova.example.com")
    check_in = datetime.now(ZoneInfo("Europe/Rome")).date() + timedelta(days=75)
    reference = book(deployment, check_in, "Giulia Neri", slug)
    sign_in(page, deployment, owner)
    booking_page = f"{deployment.service}/admin/{slug}/bookings/{reference}"
    page.goto(booking_page)
    expect(page.get_by_test_id("guest-name")).to_have_text("Giulia Neri")
    figures = {
        testid: page.get_by_test_id(testid).inner_text()
        for testid in ("booking-nights", "booking-total", "paid-online")
    }
    assert figures["booking-nights"] == "2" and figures["paid-online"] != "€0.00"

    stay = page.locator(f'[data-testid="guest-stay"][data-reference="{reference}"]')

    def find_guest() -> None:
        page.goto(f"{deployment.service}/admin/{slug}/guests")
        page.get_by_test_id("guest-email").fill("guest@example.com")
        page.get_by_test_id("guest-find").click()

    find_guest()
    expect(stay).to_have_attribute("data-ended", "false")
    check_page(page)
    with page.expect_download() as download:
        page.get_by_test_id("guest-export").click()
    exported = json.loads(download.value.path().read_text())
    assert "Giulia Neri" in json.dumps(exported)
    # Erasing is for stays that have ended: this one is still to come, so nothing changes.
    page.get_by_test_id("guest-erase").click()
    expect(page.get_by_test_id("guest-refused")).to_contain_text(reference)
    find_guest()
    expect(stay).to_contain_text("Giulia Neri")

    # The property's clock moves past the stay (the testing API, as the QA kit does): now
    # the guest is a past guest, and erasing them is allowed.
    moved = api.advance_clock(slug, 78 * 86400)
    assert moved["today"] > (check_in + timedelta(days=2)).isoformat()
    find_guest()
    expect(stay).to_have_attribute("data-ended", "true")
    page.get_by_test_id("guest-erase").click()
    expect(page.get_by_test_id("guest-erased")).to_be_visible()
    check_page(page)
    find_guest()
    expect(stay).to_have_count(0)

    # The booking stays in the books: anonymised, its nights and amounts as they were.
    page.goto(booking_page)
    expect(page.get_by_test_id("guest-name")).to_have_text("erased guest")
    expect(page.get_by_test_id("booking")).not_to_contain_text("Giulia Neri")
    expect(page.get_by_test_id("booking")).not_to_contain_text("guest@example.com")
    for testid, shown in figures.items():
        expect(page.get_by_test_id(testid)).to_have_text(shown)
