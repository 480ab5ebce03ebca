"""Rate plans, extras, the rules' questions and payment terms in the widget, as a guest
meets them: each room's plans side by side, a short form of extras with live prices, and
what is paid when ("€138 now, €322 on 3 May", or at the property with the card kept).

The suite's guesthouse (e2e/property.toml) becomes, as a property of its own here, one with
a deposit plan, a pay-at-the-property plan, parking and a pets rule asking the guest."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import Deployment, innkeep
from e2e.widget_steps import assert_accessible
from widget.testing.booking_widget import BookingWidget

HOLDS = "/holds"
MORE = """
[[rate_plans]]
slug = "deposit"
name.en = "Pay later"
name.de = "Später zahlen"
name.fr = "Payer plus tard"
name.es = "Pagar después"
name.it = "Paga dopo"
included.en = "late check-out"
included.de = "später Check-out"
included.it = "check-out posticipato"
payment = { deposit_percent = 30, balance_days_before = 14 }

[[rate_plans]]
slug = "on-arrival"
name = "Pay on arrival"
payment = { mode = "at_property", card_guarantee = true }

[[extras]]
slug = "parking"
name = { en = "Parking", de = "Parkplatz", fr = "Parking", es = "Aparcamiento", it = "Parcheggio" }
price = 15.00
per = "night"
max_quantity = 1
vat_percent = 22
payable = "at_property"

[[rules]]
type = "pets"
amount = 10.00
per = "night"
"""


@pytest.fixture(scope="module")
def slug(deployment: Deployment) -> str:
    """A property of its own: its plans and extras would change what other tests are shown.
    Through the testing API, as every property of the suite (against another deployment the
    suite has only its URL and token)."""
    return deployment.new_property(more=MORE)


def eur(minor: int) -> str:
    return f"€{minor / 100:,.2f}"


def opened(page: Page, deployment: Deployment, slug: str, **query: str) -> BookingWidget:
    deployment.needs(HOLDS)
    page.goto(deployment.page(slug=slug, **query))
    return BookingWidget.find(page)


def plans_of(page: Page, deployment: Deployment, slug: str, stay: dict[str, Any]) -> dict[str, Any]:
    """The API's own quotes of the stay, by plan: what the widget must agree with."""
    answer = page.request.post(
        f"{deployment.service}/api/v1/properties/{slug}/quotes/all-plans", data=stay
    )
    assert answer.status == 200, answer.text()
    return {q["rate_plan"]: q for q in answer.json()["quotes"]}


def plan(widget: BookingWidget, room: str, slug: str) -> Locator:
    return widget.room(room).locator(f'[data-testid=plan][data-slug="{slug}"]')


def booking_of(page: Page, deployment: Deployment, widget: BookingWidget) -> dict[str, Any]:
    """The booking as the guest's manage link reads it through the public API."""
    reference = widget.expect_confirmation()
    link = urlsplit(widget.by_id("manage-link").get_attribute("href") or "")
    read = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(link.query)["key"][0]},
    )
    assert read.status == 200, read.text()
    return read.json()  # type: ignore[no-any-return]


def test_a_room_is_offered_under_its_cheapest_plan_as_the_calendar_priced_it(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    quotes = plans_of(
        page,
        deployment,
        slug,
        {"room_type": "twin", "check_in": check_in, "check_out": check_out, "adults": 2},
    )
    cheapest = min(quotes.values(), key=lambda q: q["total"])
    assert cheapest["rate_plan"] == "non-refundable"
    # The calendar's price is the cheapest plan's; the room is offered under that plan.
    expect(plan(widget, "twin", "non-refundable")).to_have_attribute("aria-pressed", "true")
    expect(widget.room("twin").get_by_test_id("total")).to_have_text(eur(cheapest["total"]))
    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_room("twin")
    assert held.value.post_data_json["rate_plan"] == "non-refundable"
    assert held.value.post_data_json["quote_hash"] == cheapest["quote_hash"]


def test_flexible_or_non_refundable_side_by_side_and_changed_while_held(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(3)
    widget.pick_stay(check_in, check_out, adults=2)
    quotes = plans_of(
        page,
        deployment,
        slug,
        {"room_type": "twin", "check_in": check_in, "check_out": check_out, "adults": 2},
    )
    flexible, strict = quotes["flexible"], quotes["non-refundable"]
    assert strict["total"] < flexible["total"]
    # Side by side: name, what is included, the terms in one line, the price.
    expect(plan(widget, "twin", "flexible")).to_contain_text(
        "Free cancellation until 5 days before arrival"
    )
    expect(plan(widget, "twin", "flexible")).to_contain_text(eur(flexible["total"]))
    expect(plan(widget, "twin", "non-refundable")).to_contain_text("Non-refundable")
    expect(plan(widget, "twin", "non-refundable")).to_contain_text(eur(strict["total"]))
    expect(plan(widget, "twin", "deposit")).to_contain_text("Includes late check-out")
    assert_accessible(widget.frame)

    widget.choose_plan("flexible", room="twin")
    expect(widget.room("twin").get_by_test_id("total")).to_have_text(eur(flexible["total"]))
    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_room("twin")
    assert held.value.post_data_json["rate_plan"] == "flexible"
    expect(widget.by_id("chosen-plan")).to_contain_text("Flexible")
    expect(widget.by_id("pay")).to_contain_text(eur(flexible["due_now"]))

    # Changing the plan of the held room holds it again under the new plan.
    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as again:
        widget.choose_plan("non-refundable")
    assert again.value.post_data_json["rate_plan"] == "non-refundable"
    expect(widget.by_id("chosen-plan")).to_contain_text("Non-refundable")
    expect(widget.by_id("policy")).to_have_text("Non-refundable")
    expect(widget.by_id("pay")).to_contain_text(eur(strict["due_now"]))
    widget.fill_guest()
    widget.pay()
    booking = booking_of(page, deployment, widget)
    expect(widget.by_id("confirmation")).to_contain_text("Non-refundable")
    assert booking["rate_plan"] == "non-refundable", booking


def test_breakfast_for_two_and_parking_with_live_prices(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    stay = {"room_type": "twin", "check_in": check_in, "check_out": check_out, "adults": 2}
    before = plans_of(page, deployment, slug, stay)["non-refundable"]
    expect(widget.by_id("extra").first).to_be_visible()
    widget.add_extra("breakfast", 2)
    widget.add_extra("parking")
    after = plans_of(page, deployment, slug, {**stay, "extras": {"breakfast": 2, "parking": 1}})
    strict = after["non-refundable"]
    # Breakfast: 2 guests x 2 nights x EUR 10; parking: 2 nights x EUR 15, at the property.
    assert strict["total"] - before["total"] == 4000 + 3000
    twin = widget.room("twin")
    expect(twin.get_by_test_id("total")).to_have_text(eur(strict["total"]))
    twin.get_by_test_id("breakdown").locator("summary").click()
    breakdown = twin.get_by_test_id("breakdown")
    expect(breakdown.locator("tr", has_text="Breakfast").first).to_contain_text("€40.00")
    expect(breakdown.locator("tr", has_text="Parking").first).to_contain_text("€30.00")
    assert_accessible(widget.frame)
    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_room("twin")
    assert held.value.post_data_json["extras"] == {"breakfast": 2, "parking": 1}
    expect(widget.by_id("payment-terms")).to_contain_text(
        f"{eur(strict['due_now'])} now, {eur(strict['total'] - strict['due_now'])} at the property"
    )
    widget.fill_guest()
    widget.pay()
    booking = booking_of(page, deployment, widget)
    assert booking["extras"] == {"breakfast": 2, "parking": 1}, booking


def test_a_pet_through_the_rules_question(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(3)
    widget.pick_stay(check_in, check_out, adults=1)
    expect(widget.by_id("input")).to_contain_text("1")
    expect(widget.frame.locator("label[for=input-pets]")).to_contain_text("How many pets")
    widget.answer("pets", 1)
    stay = {"room_type": "last-room", "check_in": check_in, "check_out": check_out, "adults": 1}
    quote = plans_of(page, deployment, slug, {**stay, "inputs": {"pets": 1}})["non-refundable"]
    room = widget.room("last-room")
    expect(room.get_by_test_id("total")).to_have_text(eur(quote["total"]))
    room.get_by_test_id("breakdown").locator("summary").click()
    pets = room.get_by_test_id("breakdown").locator("tr", has_text="pets")
    expect(pets).to_contain_text("€30.00")  # EUR 10 a night for three nights
    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_room("last-room")
    assert held.value.post_data_json["inputs"] == {"pets": 1}
    widget.fill_guest()
    widget.pay()
    booking = booking_of(page, deployment, widget)
    assert booking["total"]["amount"] == quote["total"], booking


def test_a_deposit_now_and_the_balance_on_its_day(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    stay = {"room_type": "twin", "check_in": check_in, "check_out": check_out, "adults": 2}
    quote = plans_of(page, deployment, slug, stay)["deposit"]
    deposit, balance = quote["payment_schedule"]
    terms = f"{eur(deposit['amount'])} now, {eur(balance['amount'])} on "
    expect(plan(widget, "twin", "deposit").get_by_test_id("plan-terms")).to_contain_text(terms)
    widget.choose_plan("deposit", room="twin")
    widget.choose_room("twin")
    expect(widget.by_id("payment-terms")).to_contain_text(terms)
    expect(widget.by_id("balance-consent")).to_contain_text(eur(balance["amount"]))
    expect(widget.by_id("pay")).to_contain_text(eur(deposit["amount"]))
    widget.fill_guest()
    widget.pay()
    booking = booking_of(page, deployment, widget)
    expect(widget.by_id("confirmation-terms")).to_contain_text(terms)
    assert booking["rate_plan"] == "deposit"
    assert booking["paid"]["amount"] == deposit["amount"], booking
    assert booking["total"]["amount"] == quote["total"], booking

    # The balance, charged the way the job charges it on its day (the owner settles it now):
    # the owner's command line, so against another deployment only with its database.
    deployment.needs_command_line()
    said = innkeep("booking", "balance", booking["reference"], data_dir=deployment.data_dir)
    assert "balance charged" in said
    settled = booking_of(page, deployment, widget)
    assert settled["paid"]["amount"] == deposit["amount"] + balance["amount"], settled
    assert settled["payment_status"] == "paid", settled


def test_pay_at_the_property_with_the_card_kept_as_a_guarantee(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    stay = {"room_type": "twin", "check_in": check_in, "check_out": check_out, "adults": 2}
    quote = plans_of(page, deployment, slug, stay)["on-arrival"]
    assert quote["pay_at_property"] and quote["due_now"] == 0
    on_arrival = plan(widget, "twin", "on-arrival")
    expect(on_arrival.get_by_test_id("plan-terms")).to_have_text(
        f"{eur(quote['total'])} at the property"
    )
    widget.choose_plan("on-arrival", room="twin")
    widget.choose_room("twin")
    expect(widget.by_id("guarantee")).to_contain_text("keep this card")
    expect(widget.by_id("pay")).to_have_text("Book now, pay at the property")
    assert_accessible(widget.frame)
    widget.fill_guest()
    widget.pay()
    booking = booking_of(page, deployment, widget)
    assert booking["status"] == "confirmed" and booking["rate_plan"] == "on-arrival", booking


def test_plans_and_extras_by_keyboard_and_in_german(
    page: Page, deployment: Deployment, stays: Any, slug: str
) -> None:
    widget = opened(page, deployment, slug, locale="de")
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    deposit = plan(widget, "twin", "deposit")
    expect(deposit).to_contain_text("Später zahlen")
    expect(deposit.get_by_test_id("plan-terms")).to_contain_text("jetzt")
    expect(widget.frame.locator("fieldset.additions legend")).to_have_text(
        "Zu Ihrem Aufenthalt hinzufügen"
    )
    expect(widget.frame.locator("label[for=extra-breakfast]")).to_contain_text("pro Gast und Nacht")
    # A plan picked from the keyboard keeps the focus where the guest is.
    deposit.focus()
    page.keyboard.press("Space")
    expect(deposit).to_have_attribute("aria-pressed", "true")
    expect(deposit).to_be_focused()
    page.keyboard.press("Tab")
    expect(plan(widget, "twin", "on-arrival")).to_be_focused()
    # The parking checkbox from the keyboard re-prices the rooms.
    parking = widget.frame.locator("[data-testid=extra][data-slug=parking]")
    parking.focus()
    with page.expect_response(lambda r: r.url.endswith("/quotes/all-plans")):
        page.keyboard.press("Space")
    expect(parking).to_be_checked()
    expect(widget.room("twin").get_by_test_id("breakdown")).to_contain_text("Parkplatz")
    # The pets rule's line in German too, written by the rule (not its English note).
    widget.answer("pets", 1)
    twin = widget.room("twin").get_by_test_id("breakdown")
    twin.locator("summary").click()
    expect(twin.locator("tr", has_text="Haustier")).to_contain_text(
        "1 Haustier × 10,00\xa0€ pro Nacht"
    )
    expect(twin).not_to_contain_text("pet ×")
    # Each night rule's row has its note in German too: the base price, with the euro
    # written the German way, not "base price of twin: EUR …".
    expect(twin.locator("tr.rule", has_text="Grundpreis:")).to_contain_text("\xa0€")
    expect(twin).not_to_contain_text("base price")
    # The extra's own line and its VAT line read in German too.
    expect(twin).to_contain_text("Parkplatz × 1: 15,00\xa0€ pro Nacht")
    expect(twin).to_contain_text("22 % MwSt.")
    expect(twin).not_to_contain_text("VAT")
