"""The front desk in a browser: a phone booking sent a payment link, seen as unavailable in
the widget, paid by the guest on the link's /pay page, moved, its dates changed and
cancelled with a chosen refund. And the console's tour: every page the docs show renders;
with ``INNKEEP_SCREENSHOTS=1`` their screenshots are saved into docs/console/."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import os
import re
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import HERE, ROOT, Deployment, add_console_user
from e2e.console_steps import check_page, sign_in
from e2e.test_console_browser import book
from e2e.widget_steps import pick_dates, room, show_month_of, widget_frame

DESK_OWNER = "desk@locanda-prova.example.com"
SHOTS = ROOT / "docs" / "console"


def call_testing_api(
    deployment: Deployment,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = "application/json",
) -> Any:
    request = urllib.request.Request(
        f"{deployment.service}/api/testing/v1{path}",
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {deployment.token}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # 127.0.0.1 only
        return json.loads(response.read())


@pytest.fixture(scope="module")
def desk(deployment: Deployment) -> str:
    """A disposable property of the testing API (its outbox can be read) with an owner."""
    if not deployment.token:
        pytest.skip("the deployment's testing API token is not known")
    text = (HERE / "property.toml").read_text(encoding="utf-8")
    text = text.replace("{slug}", "desk").replace("{host_origin}", deployment.host)
    made = call_testing_api(deployment, "POST", "/properties", text.encode(), "application/toml")
    slug = str(made["slug"])
    add_console_user(deployment, slug, DESK_OWNER)
    return slug


def take_phone_booking(page: Page, base: str, check_in: date, check_out: date) -> str:
    """New booking for the one-unit room, sent a payment link; the hold's id."""
    page.goto(f"{base}/bookings/new")
    page.get_by_test_id("new-room-type").select_option("last-room")
    page.get_by_test_id("new-check-in").fill(check_in.isoformat())
    page.get_by_test_id("new-check-out").fill(check_out.isoformat())
    page.get_by_test_id("new-adults").fill("2")
    page.get_by_test_id("new-quote").click()
    expect(page.get_by_test_id("new-booking-quote")).to_be_visible()
    page.get_by_test_id("new-hold").click()
    page.get_by_test_id("new-guest-name").fill("Lucia Ferri")
    page.get_by_test_id("new-guest-email").fill("lucia@example.com")
    page.get_by_test_id("new-send-link").click()
    expect(page.get_by_test_id("link-sent")).to_be_visible()
    return page.url.split("?", 1)[0].rsplit("/", 1)[1]


def guest_pays_by_link(page: Page, deployment: Deployment, slug: str, hold_id: str) -> str:
    """The guest opens the e-mailed link in their browser and pays on the /pay page (the
    demo's test card): the widget's checkout and confirmation of that hold. The reference."""
    # The e-mail's text, before it is sent, else as the demo sent it: polled until written.
    deadline = time.monotonic() + 30
    while (
        key := re.search(rf"/pay/{hold_id}\?key=([\w-]+)", sent_mail_text(deployment, slug))
    ) is None:
        if time.monotonic() > deadline:
            raise AssertionError("no payment link e-mail")
        time.sleep(0.1)
    guest, link = page.context.new_page(), f"{deployment.service}/pay/{hold_id}?key={key.group(1)}"
    guest.goto(link)
    expect(guest.get_by_test_id("hold-stay")).to_contain_text("Lucia Ferri")
    guest.get_by_test_id("pay-submit").click()
    done = guest.get_by_test_id("pay-done")
    expect(done).to_be_visible()
    reference = done.get_attribute("data-reference")
    guest.goto(link)  # the link again: booked, with the same reference
    expect(guest.get_by_test_id("pay-done")).to_have_attribute("data-reference", reference or "")
    guest.close()
    assert reference, "the page gave no booking reference"
    return reference


def sent_mail_text(deployment: Deployment, slug: str) -> str:
    """Every e-mail about the property: the outbox's texts (emptied once sent, since they
    carry links) and the demo's sent messages (``.eml`` files in its data folder)."""
    mails = call_testing_api(deployment, "GET", f"/properties/{slug}/emails")
    texts = [m["body_text"] for m in mails]
    folder = deployment.data_dir / "outbox" if deployment.data_dir else None
    if folder is not None and folder.is_dir():
        texts += [
            message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            for message in (
                email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in folder.glob("*.eml")
            )
        ]
    return "\n".join(texts)


def test_a_phone_booking_is_paid_by_link_moved_redated_and_cancelled_with_a_chosen_refund(
    page: Page, deployment: Deployment, desk: str
) -> None:
    base = f"{deployment.service}/admin/{desk}"
    check_in = datetime.now(ZoneInfo("Europe/Rome")).date() + timedelta(days=30)
    check_out = check_in + timedelta(days=3)
    sign_in(page, deployment, DESK_OWNER)
    hold_id = take_phone_booking(page, base, check_in, check_out)

    # The widget, as a guest sees it: the one-unit room is not offered for those nights.
    guest = page.context.new_page()
    guest.goto(f"{deployment.host}/?slug={desk}")
    frame = widget_frame(guest)
    show_month_of(frame, check_in.isoformat())
    pick_dates(frame, check_in.isoformat(), check_out.isoformat())
    expect(room(frame, "twin")).to_be_visible()
    expect(room(frame, "last-room")).to_have_count(0)
    guest.close()

    reference = guest_pays_by_link(page, deployment, desk, hold_id)
    page.goto(f"{base}/bookings/{reference}")
    expect(page.get_by_test_id("booking")).to_have_attribute("data-status", "confirmed")

    page.get_by_test_id("action-move").click()
    page.locator('[data-testid="move-unit"][data-unit="Twin 1"]').check()
    page.get_by_test_id("move-show").click()
    page.get_by_test_id("confirm-move").click()
    expect(page.get_by_test_id("booking-unit")).to_contain_text("Twin 1")

    page.get_by_test_id("action-dates").click()
    page.get_by_test_id("dates-check-out").fill((check_out - timedelta(days=1)).isoformat())
    page.get_by_test_id("dates-show").click()
    expect(page.get_by_test_id("dates-quote")).to_be_visible()
    expect(page.get_by_test_id("dates-settlement")).to_have_attribute("data-settlement", "refund")
    check_page(page)
    page.get_by_test_id("confirm-dates").click()
    expect(page.get_by_test_id("action-done")).to_be_visible()
    expect(page.locator('[data-action="dates_changed"]')).to_have_count(1)

    page.get_by_test_id("action-cancel").click()
    page.get_by_test_id("refund-amount").fill("10.00")
    page.get_by_test_id("refund-show").click()
    expect(page.get_by_test_id("cancel-what")).to_contain_text("€10.00")
    check_page(page)
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("booking")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("refund")).to_contain_text("€10.00")


def shoot(page: Page, name: str) -> None:
    """Check the page renders; with INNKEEP_SCREENSHOTS=1, save it for docs/console.md."""
    expect(page.locator("main h1")).to_be_visible()
    if os.environ.get("INNKEEP_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_console_tour_renders_and_its_screenshots_are_taken(
    page: Page, deployment: Deployment, desk: str
) -> None:
    base = f"{deployment.service}/admin/{desk}"
    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    for offset, name in ((0, "Giulia Verdi"), (1, "Marco Bianchi"), (3, "Sofia Russo")):
        book(dataclasses.replace(deployment, slug=desk), today + timedelta(days=offset), name)
    page.set_viewport_size({"width": 1000, "height": 760})
    sign_in(page, deployment, DESK_OWNER)
    shoot(page, "today")
    page.goto(f"{base}/calendar")
    expect(page.get_by_test_id("tape-chart")).to_be_visible()
    shoot(page, "tape-chart")
    page.locator('[data-testid="tape-booking"]').last.click()  # arrives in 3 days: every action
    expect(page.get_by_test_id("booking")).to_be_visible()
    shoot(page, "booking")
    stay = f"check_in={today + timedelta(days=40)}&check_out={today + timedelta(days=42)}"
    page.goto(f"{base}/bookings/new?room_type=twin&{stay}&adults=2")
    expect(page.get_by_test_id("new-booking-quote")).to_be_visible()
    shoot(page, "new-booking")
    page.goto(f"{base}/rules")
    shoot(page, "rules")


def test_the_screenshots_in_the_docs_are_the_ones_the_tour_takes() -> None:
    """docs/console.md shows only pictures the tour saves, and they are kept small."""
    shown = set(
        re.findall(
            r"\(console/([\w-]+)\.png\)", (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
        )
    )
    assert shown == {"today", "tape-chart", "booking", "new-booking", "rules"}
    for name in shown:
        picture = SHOTS / f"{name}.png"
        assert picture.exists() and picture.stat().st_size < 250_000, picture
    taken = re.findall(r'shoot\(page, "([\w-]+)"\)', Path(__file__).read_text(encoding="utf-8"))
    assert set(taken) == shown
