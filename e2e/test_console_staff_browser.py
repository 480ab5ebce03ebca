"""The console in a browser as staff walk it through the daily work: sign in, see today's
arrival on Today, open the tape chart and the booking's page, take a phone booking (paid at
the property) and find it on the tape chart, block a night. The owners' pages (prices and
rules, rooms, website, channels and webhooks, people) are not offered, and their addresses
answer with the refusal page. axe finds no serious or critical violation on the pages this
walk alone reaches (the guest step of a new booking, the refusal), and they fit a 360 px
phone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from e2e.conftest import Deployment
from e2e.console_steps import check_page, sign_in
from e2e.test_console_browser import book

#: The pages only a property's owners may open (prices and rules, rooms, website, channels
#: with their webhooks, who may use the console).
OWNERS_ONLY = ("rules", "rooms", "website", "channels", "people")


def test_staff_do_the_daily_work_and_are_refused_the_owners_pages(
    page: Page, deployment: Deployment, staff: str, stays: Any
) -> None:
    slug = deployment.slug
    base = f"{deployment.service}/admin/{slug}"
    rome_today = datetime.now(ZoneInfo("Europe/Rome")).date()
    reference = book(deployment, rome_today, "Anna Conti")

    sign_in(page, deployment, staff)
    arrival = page.locator(
        f'[data-date="{rome_today.isoformat()}"] [data-testid="booking-row"]'
        f'[data-reference="{reference}"][data-kind="arrival"]'
    )
    expect(arrival).to_contain_text("Anna Conti")
    # Only the daily work is offered: no link anywhere on the page to an owner's page.
    for path in OWNERS_ONLY:
        expect(page.locator(f'a[href^="/admin/{slug}/{path}"]')).to_have_count(0)

    page.get_by_test_id("nav-calendar").click()
    expect(page.get_by_test_id("tape-chart")).to_be_visible()
    page.locator(f'[data-testid="tape-booking"][data-reference="{reference}"]').click()
    expect(page.get_by_test_id("booking")).to_have_attribute("data-reference", reference)
    expect(page.get_by_test_id("guest-name")).to_have_text("Anna Conti")

    # A phone booking, paid at the property.
    check_in, check_out = stays(2)
    page.get_by_test_id("nav-new-booking").click()
    page.get_by_test_id("new-room-type").select_option("twin")
    page.get_by_test_id("new-check-in").fill(check_in)
    page.get_by_test_id("new-check-out").fill(check_out)
    page.get_by_test_id("new-adults").fill("2")
    page.get_by_test_id("new-quote").click()
    expect(page.get_by_test_id("new-booking-quote")).to_be_visible()
    page.get_by_test_id("new-hold").click()
    expect(page.get_by_test_id("new-booking-guest")).to_be_visible()
    check_page(page)
    page.get_by_test_id("new-guest-name").fill("Paolo Greco")
    page.get_by_test_id("new-guest-email").fill("paolo@example.com")
    page.get_by_test_id("new-book").click()
    booking = page.get_by_test_id("booking")
    expect(booking).to_have_attribute("data-status", "confirmed")
    phoned = booking.get_attribute("data-reference")
    assert phoned and phoned != reference

    # On the tape chart of its month; and a night blocked there, picked with a click.
    page.goto(f"{base}/calendar?month={check_in[:7]}")
    phoned_in = page.locator(f'[data-testid="tape-booking"][data-reference="{phoned}"]')
    expect(phoned_in).to_contain_text("Paolo Greco")
    page.locator(
        f'[data-testid="tape-free"][data-unit="Lighthouse"][data-night="{check_in}"]'
    ).click()
    expect(page.get_by_test_id("block-first")).to_have_value(check_in)
    page.get_by_test_id("block-reason").fill("boiler service")
    page.get_by_test_id("block-submit").click()
    expect(page.get_by_test_id("calendar-notice")).to_be_visible()
    block = page.locator(
        f'[data-testid="tape-block"][data-unit="Lighthouse"][data-first="{check_in}"]'
    )
    expect(block).to_contain_text("boiler service")

    # The owners' pages, asked for by address: refused, saying so.
    for path in OWNERS_ONLY:
        answer = page.goto(f"{base}/{path}")
        assert answer is not None and answer.status == 403, path
        expect(page.get_by_test_id("refused")).to_have_attribute("data-error", "owners_only")
    check_page(page)
