"""Several rooms in one checkout, as a guest meets them: a family no one room sleeps is
offered the ways to book several rooms (cheapest first), picks one, pays once and gets one
booking with its rooms; any party may also count the rooms it wants.

The suite's guesthouse (e2e/property.toml): twin rooms sleep three (three of them), the
last room two; so a family of five needs two rooms."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from e2e.conftest import Deployment
from e2e.widget_steps import assert_accessible
from widget.testing.booking_widget import BookingWidget

HOLDS = "/holds"
FAMILY = {"adults": 2, "children_ages": [4, 8, 12]}


def eur(minor: int) -> str:
    return f"€{minor / 100:,.2f}"


#: What a room of a group is held with when the guest picks nothing: the first plan.
AS_OFFERED = {"rate_plan": "flexible", "extras": {}, "inputs": {}}
#: A plan with a deposit and one paid at the property with the card kept, beside the suite's.
MORE = """
[[rate_plans]]
slug = "deposit"
name = "Pay later"
payment = { deposit_percent = 30, balance_days_before = 14 }

[[rate_plans]]
slug = "on-arrival"
name = "Pay on arrival"
payment = { mode = "at_property", card_guarantee = true }
"""


def parties(room: dict[str, Any]) -> dict[str, Any]:
    """A room as the ways name it: its type and party."""
    return {k: room[k] for k in ("room_type", "adults", "children")}


def plans_of(page: Page, deployment: Deployment, slug: str, stay: dict[str, Any]) -> Any:
    """The API's own quotes of a room, by plan: what the widget must agree with."""
    answer = page.request.post(
        f"{deployment.service}/api/v1/properties/{slug}/quotes/all-plans", data=stay
    )
    assert answer.status == 200, answer.text()
    return {q["rate_plan"]: q for q in answer.json()["quotes"]}


def opened(page: Page, deployment: Deployment, more: str = "") -> tuple[str, BookingWidget]:
    """A property of the test's own (its rooms free whatever other tests book; ``more``
    added to it), opened."""
    deployment.needs(HOLDS)
    slug = deployment.new_property(more=more)
    page.goto(deployment.page(slug=slug))
    return slug, BookingWidget.find(page)


def ways_offered(page: Page, deployment: Deployment, slug: str, stay: dict[str, Any]) -> Any:
    """The API's own offers for the family: what the widget must show, in its order."""
    answer = page.request.post(
        f"{deployment.service}/api/v1/properties/{slug}/quotes",
        data={"room_type": "twin", **stay, "adults": 2, "children": FAMILY["children_ages"]},
    )
    assert answer.status == 422, answer.text()
    return answer.json()["combinations"]


def test_two_rooms_for_a_family_of_five(page: Page, deployment: Deployment, stays: Any) -> None:
    slug, widget = opened(page, deployment)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, **FAMILY)  # type: ignore[arg-type]
    offers = ways_offered(page, deployment, slug, {"check_in": check_in, "check_out": check_out})
    assert len(offers) >= 2
    # The ways the API offers, cheapest first, with their totals; no single room is offered.
    shown = widget.by_id("combination")
    expect(shown).to_have_count(len(offers))
    for n, offer in enumerate(offers):
        expect(shown.nth(n)).to_contain_text(eur(offer["total"]["amount"]))
    expect(widget.by_id("room-type")).to_have_count(0)
    assert_accessible(widget.frame)

    with page.expect_request(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_rooms()
    assert [parties(r) for r in held.value.post_data_json["rooms"]] == offers[0]["rooms"]
    # The checkout lists each room, and one payment for the group.
    rooms = [room["room_type"] for room in offers[0]["rooms"]]
    expect(widget.held_rooms()).to_have_count(2)
    for n, room_type in enumerate(rooms):
        expect(widget.held_rooms().nth(n)).to_have_attribute("data-slug", room_type)
    expect(widget.by_id("pay")).to_contain_text(eur(offers[0]["due_now"]["amount"]))
    expect(widget.countdown()).to_contain_text("Rooms held for you")
    assert_accessible(widget.frame)

    widget.fill_guest()
    widget.pay()
    reference = widget.expect_confirmation()
    expect(widget.by_id("booked-rooms").locator("li")).to_have_count(2)
    link = widget.by_id("manage-link").get_attribute("href") or ""
    booking = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(urlsplit(link).query)["key"][0]},
    ).json()
    assert [r["room_type"] for r in booking["rooms"]] == rooms
    assert sum(r["adults"] + len(r["children"]) for r in booking["rooms"]) == 5
    assert booking["total"]["amount"] == offers[0]["total"]["amount"]
    # The guest's manage page lists both rooms.
    page.goto(link)
    expect(page.get_by_test_id("rooms").locator("li")).to_have_count(2)


def test_a_couple_counts_two_rooms_and_holds_them(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    _, widget = opened(page, deployment)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, adults=2)
    # The party fits one room: the rooms are offered as ever, several only when asked.
    expect(widget.room("twin")).to_be_visible()
    expect(widget.by_id("room-counts")).to_be_hidden()
    summary = widget.by_id("several-rooms")
    summary.focus()
    page.keyboard.press("Enter")
    count = widget.frame.locator('[data-testid=room-count][data-slug="twin"]')
    expect(count).to_be_visible()
    # One room more than adults: refused, saying why, and nothing is held.
    count.select_option("3")
    widget.by_id("room-counts").get_by_test_id("choose-rooms").click()
    expect(widget.by_id("room-counts")).to_contain_text("every room needs an adult")
    expect(widget.countdown()).to_be_hidden()
    with page.expect_response(lambda r: r.url.endswith(HOLDS)) as held:
        widget.choose_rooms({"twin": 2})
    # Held under the first plan, the one the counted rooms were priced with.
    assert held.value.request.post_data_json["rooms"] == [
        {"room_type": "twin", "adults": 1, "children": [], **AS_OFFERED},
        {"room_type": "twin", "adults": 1, "children": [], **AS_OFFERED},
    ]
    # What the counted rooms cost was shown before they were held, and is what the hold costs.
    total = held.value.json()["total"]
    expect(widget.by_id("room-counts")).to_contain_text(f"Total: {eur(total)}")
    expect(widget.held_rooms()).to_have_count(2)
    # Both rooms on the same plan: its cancellation terms in one line.
    expect(widget.by_id("room-policy")).to_have_count(1)
    assert_accessible(widget.frame)


def test_a_family_books_two_rooms_on_different_plans_with_breakfast_in_one(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    slug, widget = opened(page, deployment, MORE)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, **FAMILY)  # type: ignore[arg-type]
    # The twin for a parent and the two younger children, the last room for the other two.
    widget.choose_rooms({"twin": 1, "last-room": 1}, hold=False)
    twin, last = widget.group_room(0), widget.group_room(1)
    expect(twin).to_have_attribute("data-slug", "twin")
    expect(last).to_have_attribute("data-slug", "last-room")
    # Each room's plans side by side, priced for its own party, the first plan pressed.
    stay = {"check_in": check_in, "check_out": check_out}
    twin_party = {"room_type": "twin", "adults": 1, "children": [4, 8], **stay}
    last_party = {"room_type": "last-room", "adults": 1, "children": [12], **stay}
    expect(twin.get_by_test_id("plan")).to_have_count(4)
    flexible = twin.locator('[data-testid=plan][data-slug="flexible"]')
    expect(flexible).to_have_attribute("aria-pressed", "true")
    expect(flexible).to_contain_text(
        eur(plans_of(page, deployment, slug, twin_party)["flexible"]["total"])
    )
    assert_accessible(widget.frame)

    # A card kept for a no-show cannot sit beside rooms paid online: refused at that room,
    # in the API's words, and nothing is held.
    widget.choose_room_plan(1, "on-arrival")
    with page.expect_response(lambda r: r.url.endswith(HOLDS)) as refused:
        widget.hold_rooms(expect_hold=False)
    assert refused.value.status == 422
    assert refused.value.json()["field"] == "rooms[1].rate_plan"
    expect(last.get_by_test_id("group-room-error")).to_contain_text("keeps the guest's card")
    expect(twin.get_by_test_id("group-room-error")).to_be_hidden()
    expect(widget.countdown()).to_be_hidden()
    assert_accessible(widget.frame)

    # Breakfast for the twin's three, a deposit plan there; the last room non-refundable.
    widget.choose_room_plan(0, "deposit")
    widget.add_room_extra(0, "breakfast", 3)
    widget.choose_room_plan(1, "non-refundable")
    expect(last.get_by_test_id("group-room-error")).to_be_hidden()
    deposit = plans_of(page, deployment, slug, {**twin_party, "extras": {"breakfast": 3}})[
        "deposit"
    ]
    strict = plans_of(page, deployment, slug, last_party)["non-refundable"]
    assert deposit["extras"] == {"breakfast": 3} and len(deposit["payment_schedule"]) == 2
    expect(twin.get_by_test_id("group-room-price")).to_have_text(eur(deposit["total"]))
    expect(last.get_by_test_id("group-room-price")).to_have_text(eur(strict["total"]))
    now = deposit["due_now"] + strict["due_now"]
    balance = deposit["payment_schedule"][1]["amount"]
    terms = f"Total: {eur(deposit['total'] + strict['total'])} · {eur(now)} now, {eur(balance)} on "
    expect(widget.by_id("group-terms")).to_contain_text(terms)

    with page.expect_response(lambda r: r.url.endswith(HOLDS)) as held:
        widget.hold_rooms()
    assert held.value.status == 201, held.value.text()
    asked = held.value.request.post_data_json["rooms"]
    assert [(r["rate_plan"], r["extras"]) for r in asked] == [
        ("deposit", {"breakfast": 3}),
        ("non-refundable", {}),
    ]
    # The checkout lists each room with its plan and extras, and the whole's terms.
    expect(widget.held_rooms().nth(0)).to_contain_text("Pay later · Breakfast × 3")
    expect(widget.held_rooms().nth(1)).to_contain_text("Non-refundable")
    expect(widget.by_id("payment-terms")).to_contain_text(f"{eur(now)} now, {eur(balance)} on ")
    expect(widget.by_id("pay")).to_contain_text(eur(now))
    assert_accessible(widget.frame)

    widget.fill_guest()
    widget.pay()
    reference = widget.expect_confirmation()
    booked = widget.by_id("booked-rooms").locator("li")
    expect(booked.nth(0)).to_contain_text("Pay later · Breakfast × 3")
    expect(booked.nth(1)).to_contain_text("Non-refundable")
    link = widget.by_id("manage-link").get_attribute("href") or ""
    booking = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(urlsplit(link).query)["key"][0]},
    ).json()
    assert [(r["rate_plan"], r.get("extras", {})) for r in booking["rooms"]] == [
        ("deposit", {"breakfast": 3}),
        ("non-refundable", {}),
    ]
    assert booking["total"]["amount"] == deposit["total"] + strict["total"]
    assert booking["paid"]["amount"] == now, booking


#: A rule that asks the guest how many pets come (EUR 10 a night each).
PETS = """
[[rules]]
type = "pets"
amount = 10.00
per = "night"
"""


def test_a_pet_in_one_room_of_a_group_and_each_rooms_own_cancellation_terms(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    slug, widget = opened(page, deployment, PETS)
    check_in, check_out = stays(2)
    widget.pick_stay(check_in, check_out, **FAMILY)  # type: ignore[arg-type]
    widget.choose_rooms({"twin": 1, "last-room": 1}, hold=False)
    twin, last = widget.group_room(0), widget.group_room(1)
    stay = {"check_in": check_in, "check_out": check_out}
    twin_party = {"room_type": "twin", "adults": 1, "children": [4, 8], **stay}
    last_party = {"room_type": "last-room", "adults": 1, "children": [12], **stay}
    # Each room asks the rules' question, as one room does; one pet in the last room.
    expect(last.locator("label[for=g1-input-pets]")).to_contain_text("How many pets")
    widget.answer_room(1, "pets", 1)
    widget.choose_room_plan(1, "non-refundable")
    with_pet = plans_of(page, deployment, slug, {**last_party, "inputs": {"pets": 1}})
    without = plans_of(page, deployment, slug, twin_party)["flexible"]
    strict = with_pet["non-refundable"]
    assert strict["inputs"] == {"pets": 1}
    expect(last.get_by_test_id("group-room-price")).to_have_text(eur(strict["total"]))
    expect(twin.get_by_test_id("group-room-price")).to_have_text(eur(without["total"]))
    assert_accessible(widget.frame)

    with page.expect_response(lambda r: r.url.endswith(HOLDS)) as held:
        widget.hold_rooms()
    assert held.value.status == 201, held.value.text()
    assert [r["inputs"] for r in held.value.request.post_data_json["rooms"]] == [{}, {"pets": 1}]
    quotes = held.value.json()["quotes"]
    assert [q["total"] for q in quotes] == [without["total"], strict["total"]]  # the pet's fee
    # The checkout names each room's own cancellation terms, not the property's.
    policies = widget.by_id("room-policy")
    expect(policies).to_have_count(2)
    expect(policies.nth(0)).to_contain_text("Room 1 (Twin room): Free cancellation until 5 days")
    expect(policies.nth(1)).to_contain_text("Room 2 (The last room): Non-refundable")
    expect(widget.by_id("chosen-plan")).to_have_count(0)  # no one plan speaks for both
    assert_accessible(widget.frame)

    widget.fill_guest()
    widget.pay()
    reference = widget.expect_confirmation()
    link = widget.by_id("manage-link").get_attribute("href") or ""
    booking = page.request.get(
        f"{deployment.service}/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": parse_qs(urlsplit(link).query)["key"][0]},
    ).json()
    assert booking["total"]["amount"] == without["total"] + strict["total"]
