"""Several rooms in one checkout: held together or not at all, one payment for the sum,
one booking with its rooms, cancelled together."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
import redis

from tests.helpers import OPEN_DEMO_TOML, advance_clock, property_toml, set_clock, with_hold_share
from tests.payments.conftest import GUEST, HeldRoom
from tests.payments.test_manage_booking import cancel, manage_link
from tests.payments.test_pay_at_property import FLEXIBLE_TERMS
from tests.payments.test_payment_terms import (
    BALANCE_DAY,
    NOW,
    QUOTES,
    charge_row,
    online_of,
    paid_in_all,
    run_job,
)
from tests.payments.test_stripe_checkout import worker_connection
from widget.inventory.front_desk import front_desk
from widget.inventory.gate import night_keys
from widget.mail.compose import money
from widget.mail.phrases import phrases
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

ARRIVAL = date.today() + timedelta(days=45)
# A Monday-to-Thursday stay: no weekend or minimum-stay rule gets in the way.
ARRIVAL = ARRIVAL + timedelta(days=(0 - ARRIVAL.weekday()) % 7)
STAY = {"check_in": str(ARRIVAL), "check_out": str(ARRIVAL + timedelta(days=3))}
HOLDS = "/api/v1/properties/demo/holds"
AT_PROPERTY_TERMS = 'payment = { mode = "at_property", card_guarantee = true }'


@pytest.fixture
def open_demo(demo_property: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """The demo, where one client may hold all of it (quotas are tested on their own)."""
    apply_property(demo_property, parse_property(OPEN_DEMO_TOML))
    return demo_property


def rooms(*types: str, **more: Any) -> dict[str, Any]:
    party = {"double-sea-view": 2, "family-suite": 3, "garden-single": 1}
    return {**STAY, "rooms": [{"room_type": t, "adults": party.get(t, 2)} for t in types], **more}


def rows(conn: psycopg.Connection[Any]) -> list[tuple[str, Any, Any]]:
    """Every reservation: its status, its group and its reference."""
    return [
        (r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT status::text, group_id, reference FROM reservation ORDER BY group_position"
        ).fetchall()
    ]


async def quote(api: Any, room_type: str, adults: int) -> Any:
    body = {**STAY, "room_type": room_type, "adults": adults}
    answer = await api.post("/api/v1/properties/demo/quotes", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_group_is_held_together_with_one_quote_per_room_and_the_sum(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    answer = await demo_api.post(HOLDS, json=rooms("double-sea-view", "family-suite"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    double = await quote(demo_api, "double-sea-view", 2)
    suite = await quote(demo_api, "family-suite", 3)
    assert body["quotes"] == [double, suite]
    assert body["total"] == double["total"] + suite["total"]
    assert body["due_now"] == double["due_now"] + suite["due_now"]
    assert body["id"] and body["token"] and body["expires_at"]
    held = rows(open_demo)
    assert [status for status, _, _ in held] == ["held", "held"]
    assert {group for _, group, _ in held} == {__import__("uuid").UUID(body["id"])}


async def test_a_group_is_all_or_nothing_when_one_room_is_not_free(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    first = await demo_api.post(HOLDS, json={**STAY, "room_type": "garden-single", "adults": 1})
    assert first.status_code == 201
    answer = await demo_api.post(HOLDS, json=rooms("double-sea-view", "garden-single"))
    assert answer.status_code == 409 and answer.json()["error"] == "taken"
    # Nothing of the group was kept: the doubles are all still free.
    assert [status for status, _, _ in rows(open_demo)] == ["held"]
    three = await demo_api.post(HOLDS, json=rooms(*["double-sea-view"] * 3))
    assert three.status_code == 201, three.text
    four = await demo_api.post(HOLDS, json=rooms("double-sea-view"))
    assert four.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (rooms(*["double-sea-view"] * 5), "rooms"),
        ({**STAY, "rooms": []}, "rooms"),
        (rooms("double-sea-view", "nowhere-suite"), "rooms[1].room_type"),
        ({**STAY, "rooms": [{"room_type": "garden-single", "adults": 0}]}, "rooms[0].adults"),
        (rooms("double-sea-view", room_type="double-sea-view"), "room_type"),
    ],
)
async def test_a_bad_group_is_refused_naming_the_field_and_holds_nothing(
    demo_api: Any, open_demo: psycopg.Connection[Any], body: dict[str, Any], field: str
) -> None:
    answer = await demo_api.post(HOLDS, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert rows(open_demo) == []


async def hold_group(api: Any, *types: str) -> tuple[HeldRoom, dict[str, Any]]:
    answer = await api.post(HOLDS, json=rooms(*types))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return HeldRoom(body["id"], body["token"]), body


async def test_one_payment_for_the_sum_books_every_room_under_one_reference(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    held, body = await hold_group(demo_api, "double-sea-view", "family-suite")
    out = await demo_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    assert out.status_code == 200, out.text
    assert out.json()["amount"]["amount"] == body["due_now"]
    assert open_demo.execute("SELECT count(*) FROM demo_payment").fetchone() == (1,)
    # The other room's time was extended with the first's, for the payment.
    expiries = open_demo.execute("SELECT DISTINCT hold_expires_at FROM reservation").fetchall()
    assert len(expiries) == 1
    confirmed = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert confirmed.status_code == 200, confirmed.text
    booking = confirmed.json()
    assert booking["paid"]["amount"] == body["due_now"]
    assert [r["room_type"] for r in booking["rooms"]] == ["double-sea-view", "family-suite"]
    assert [status for status, _, _ in rows(open_demo)] == ["confirmed", "confirmed"]
    _, secret = manage_link(open_demo)
    url = f"/api/v1/bookings/{booking['reference']}"
    read = (await demo_api.get(url, headers={"X-Booking-Secret": secret})).json()
    assert [r["room_type"] for r in read["rooms"]] == ["double-sea-view", "family-suite"]
    assert read["paid"]["amount"] == body["due_now"]
    assert [r["adults"] for r in read["rooms"]] == [2, 3]


async def test_cancelling_the_booking_cancels_every_room_and_refunds_the_sum(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    held, body = await hold_group(demo_api, "double-sea-view", "double-sea-view")
    await demo_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    assert (
        await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    ).status_code == 200
    path, secret = manage_link(open_demo)
    assert (await cancel(demo_api, path, secret)).status_code in (200, 303)
    assert [status for status, _, _ in rows(open_demo)] == ["cancelled", "cancelled"]
    refund = open_demo.execute("SELECT refund_amount FROM reservation WHERE id = %s", (held.id,))
    assert refund.fetchone() == (body["due_now"],)  # 45 days ahead: free cancellation


async def test_releasing_a_group_frees_every_room(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    held, _ = await hold_group(demo_api, "garden-single", "family-suite")
    gone = await demo_api.delete(f"/api/v1/holds/{held.id}", headers=held.headers)
    assert gone.status_code == 200, gone.text
    assert [status for status, _, _ in rows(open_demo)] == ["cancelled", "cancelled"]
    again = await demo_api.post(HOLDS, json=rooms("garden-single", "family-suite"))
    assert again.status_code == 201, again.text


async def test_a_lapsed_group_whose_room_was_taken_is_not_booked_and_not_charged(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    held, _ = await hold_group(demo_api, "double-sea-view", "garden-single")
    await demo_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    advance_clock(open_demo, timedelta(hours=1))
    # Someone else takes the single room once the group's time is up.
    other = await demo_api.post(HOLDS, json={**STAY, "room_type": "garden-single", "adults": 1})
    assert other.status_code == 201, other.text
    confirmed = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert confirmed.status_code == 409, confirmed.text
    assert confirmed.json()["payment_status"] == "canceled"
    statuses = open_demo.execute(
        "SELECT status::text FROM reservation WHERE group_id = %s", (held.id,)
    ).fetchall()
    assert "confirmed" not in {s for (s,) in statuses}
    payment = open_demo.execute("SELECT status FROM demo_payment").fetchone()
    assert payment is not None and payment[0] == "canceled"


# --- Groups under the rate plans' payment terms (the demo's `flexible`: 30 % now, the
# balance 14 days before arrival; `non-refundable`: all now).

TERMS_STAY = {"check_in": "2027-03-15", "check_out": "2027-03-18"}


def group_on(*plans: str) -> dict[str, Any]:
    kinds = ["double-sea-view", "family-suite", "garden-single"]
    party = {"double-sea-view": 2, "family-suite": 3, "garden-single": 1}
    return {
        **TERMS_STAY,
        "rooms": [
            {"room_type": kind, "adults": party[kind], "rate_plan": plan}
            for kind, plan in zip(kinds, plans, strict=False)
        ],
    }


async def book_group(api: Any, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    answer = await api.post(HOLDS, json=body)
    assert answer.status_code == 201, answer.text
    hold = answer.json()
    headers = {"X-Hold-Token": hold["token"]}
    out = await api.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    assert out.status_code == 200, out.text
    assert out.json()["amount"]["amount"] == hold["due_now"]
    done = await api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    return hold, done.json()


async def test_a_groups_deposits_are_one_payment_and_its_balances_one_charge(
    demo_api: Any, open_demo: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    set_clock(open_demo, NOW)
    hold, done = await book_group(demo_api, group_on("flexible", "non-refundable", "flexible"))
    quotes = hold["quotes"]
    online = sum(online_of(q) for q in quotes)
    balances = sum(q["payment_schedule"][1]["amount"] for q in quotes if q.get("payment_schedule"))
    assert hold["due_now"] == sum(q["due_now"] for q in quotes)
    assert hold["due_now"] + balances == online  # deposit + balance = what is paid online
    assert hold["payment_schedule"] == [
        {"due": "2027-01-15", "amount": hold["due_now"]},
        {"due": "2027-03-01", "amount": balances},
    ]
    assert done["paid"]["amount"] == hold["due_now"] == paid_in_all(open_demo)
    consent = open_demo.execute(
        "SELECT payment_consent FROM reservation WHERE id = %s", (hold["id"],)
    ).fetchone()
    assert consent is not None and f"{balances // 100}" in consent[0].replace(".", "")
    set_clock(open_demo, BALANCE_DAY)
    assert sorted((await run_job(open_demo, quiet_settings)).values()) == ["succeeded"]
    assert charge_row(open_demo) == ("succeeded", 1, balances)  # one charge for the group
    assert paid_in_all(open_demo) == online
    _, secret = manage_link(open_demo)
    read = (
        await demo_api.get(
            f"/api/v1/bookings/{done['reference']}", headers={"X-Booking-Secret": secret}
        )
    ).json()
    assert read["paid"]["amount"] == online
    assert read["total"]["amount"] == sum(q["total"] for q in quotes)
    # Still free to cancel: each room gives back what was paid for it, but the
    # non-refundable one, nothing.
    refund = read["cancellation"]["refund_if_cancelled_now"]["amount"]
    assert refund == online - online_of(quotes[1])
    # On the arrival day, Today shows each room with what was taken for it: its deposit and
    # its share of the group's one balance.
    set_clock(open_demo, BALANCE_DAY.replace(day=15, hour=12))
    found = open_demo.execute("SELECT id FROM property WHERE slug = 'demo'").fetchone()
    assert found is not None
    async with worker_connection(open_demo) as conn:
        desk = await front_desk(conn, found[0], "EUR")
    paid = sorted(stay.paid for stay in desk.today.arrivals)
    assert paid == sorted(online_of(q) for q in quotes)


async def test_a_group_paid_at_the_property_books_every_room_and_charges_nothing(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    set_clock(open_demo, NOW)
    apply_property(
        open_demo,
        parse_property(
            with_hold_share(property_toml().replace(FLEXIBLE_TERMS, AT_PROPERTY_TERMS), 1000)
        ),
    )
    hold, done = await book_group(demo_api, group_on("flexible", "flexible"))
    assert hold["due_now"] == 0 and done["payment_status"] == "at_property"
    assert [status for status, _, _ in rows(open_demo)] == ["confirmed", "confirmed"]
    assert paid_in_all(open_demo) == 0
    assert open_demo.execute("SELECT count(*) FROM booking_charge").fetchone() == (0,)


async def test_a_card_kept_at_the_property_beside_rooms_paid_online_is_refused(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    set_clock(open_demo, NOW)
    apply_property(
        open_demo,
        parse_property(
            with_hold_share(property_toml().replace(FLEXIBLE_TERMS, AT_PROPERTY_TERMS), 1000)
        ),
    )
    answer = await demo_api.post(HOLDS, json=group_on("non-refundable", "flexible"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "rooms[1].rate_plan"
    assert "keeps the guest's card" in answer.json()["message"]
    assert rows(open_demo) == []


AT_PROPERTY_NO_CARD = 'payment = { mode = "at_property" }'


@pytest.mark.parametrize("plans", [("non-refundable", "flexible"), ("flexible", "non-refundable")])
async def test_a_group_pays_its_online_rooms_now_and_the_rest_at_the_property(
    demo_api: Any, open_demo: psycopg.Connection[Any], plans: tuple[str, str]
) -> None:
    """ "flexible" is paid at the property (no card kept), "non-refundable" online; in either
    order, the guest pays the online room's part now, in one payment, the rest there."""
    set_clock(open_demo, NOW)
    apply_property(
        open_demo,
        parse_property(
            with_hold_share(property_toml().replace(FLEXIBLE_TERMS, AT_PROPERTY_NO_CARD), 1000)
        ),
    )
    hold, done = await book_group(demo_api, group_on(*plans))
    online = next(q for q in hold["quotes"] if q["rate_plan"] == "non-refundable")
    there = next(q for q in hold["quotes"] if q["rate_plan"] == "flexible")
    assert there["due_now"] == 0 and online["due_now"] > 0
    assert hold["due_now"] == online["due_now"]
    assert [status for status, _, _ in rows(open_demo)] == ["confirmed", "confirmed"]
    assert paid_in_all(open_demo) == online["due_now"]  # captured: one payment, that part
    assert done["payment_status"] == "captured"
    assert open_demo.execute("SELECT count(*) FROM booking_charge").fetchone() == (0,)
    (mail,) = open_demo.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    words = phrases("de")
    assert f"{words['paid']}: {money(online['due_now'], 'EUR', 'de')}" in mail
    rest = online["total"] - online["due_now"] + there["total"]
    assert f"{words['at_property']}: {money(rest, 'EUR', 'de')}" in mail


def with_rooms_per_booking(toml: str, rooms: int) -> str:
    """The property file with ``max_rooms_per_booking`` under [property]."""
    return toml.replace("[property]\n", f"[property]\nmax_rooms_per_booking = {rooms}\n", 1)


async def test_a_property_sets_its_rooms_per_booking_and_quotas_follow(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    # A quota of 1 % of six units would be nothing; one booking's five rooms always fit.
    apply_property(
        demo_property,
        parse_property(with_rooms_per_booking(with_hold_share(property_toml(), 1), 5)),
    )
    five = rooms(
        "double-sea-view", "double-sea-view", "double-sea-view", "family-suite", "family-suite"
    )
    answer = await demo_api.post(HOLDS, json=five)
    assert answer.status_code == 201, answer.text
    sixth = await demo_api.post(HOLDS, json=rooms("garden-single"))
    assert sixth.status_code == 429, sixth.text
    described = (await demo_api.get("/api/v1/properties/demo")).json()
    assert described["max_rooms_per_booking"] == 5  # the widget counts rooms up to it
    apply_property(demo_property, parse_property(with_rooms_per_booking(property_toml(), 2)))
    # Workers learn of the applied file through a notification: give it a moment to arrive.
    for _ in range(50):
        three = await demo_api.post(
            HOLDS, json=rooms("garden-single", "double-sea-view", "family-suite")
        )
        if three.status_code == 422:
            break
        await asyncio.sleep(0.1)
    assert three.status_code == 422, three.text
    assert three.json()["field"] == "rooms" and "at most 2" in three.json()["message"]
    described = (await demo_api.get("/api/v1/properties/demo")).json()
    assert described["max_rooms_per_booking"] == 2
    apply_property(demo_property, parse_property(property_toml()))
    for _ in range(50):
        described = (await demo_api.get("/api/v1/properties/demo")).json()
        if "max_rooms_per_booking" not in described:
            break
        await asyncio.sleep(0.1)
    assert "max_rooms_per_booking" not in described  # the default, 4, goes without saying


def test_rooms_per_booking_is_checked_in_the_property_file() -> None:
    with pytest.raises(Exception, match=r"max_rooms_per_booking.*>= 1"):
        parse_property(with_rooms_per_booking(property_toml(), 0))


async def test_a_party_bigger_than_any_room_is_offered_combinations_cheapest_first(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    # Six adults: the family suite sleeps at most five (the demo's largest room).
    body = {**STAY, "room_type": "family-suite", "adults": 6}
    answer = await demo_api.post("/api/v1/properties/demo/quotes", json=body)
    assert answer.status_code == 422, answer.text
    refused = answer.json()
    assert refused["field"] == "adults"
    offers = refused["combinations"]
    assert 1 <= len(offers) <= 3
    totals = [offer["total"]["amount"] for offer in offers]
    assert totals == sorted(totals)
    for offer in offers:
        assert sum(room["adults"] for room in offer["rooms"]) == 6
        assert all(room["adults"] >= 1 for room in offer["rooms"])
    # An offer is what it says: held as it stands, its rooms cost its total.
    held = await demo_api.post(HOLDS, json={**STAY, "rooms": offers[0]["rooms"]})
    assert held.status_code == 201, held.text
    assert held.json()["total"] == totals[0]
    # A party one room takes is quoted as ever, with no offers.
    fits = await demo_api.post(
        "/api/v1/properties/demo/quotes", json={**STAY, "room_type": "family-suite", "adults": 3}
    )
    assert fits.status_code == 200 and "combinations" not in fits.json()


def test_a_party_is_split_with_an_adult_in_every_room() -> None:
    from engine import Party
    from widget.inventory.combinations import _split

    assert _split(Party(2, (5, 7)), [2, 2]) == [Party(1, (5,)), Party(1, (7,))]
    assert _split(Party(5), [5, 2]) == [Party(4), Party(1)]
    assert _split(Party(1, (5, 7)), [2, 2]) is None  # a child never sleeps alone
    assert _split(Party(3, (4,)), [2, 1]) is None  # four guests, three beds


async def test_a_rooms_answer_to_a_rules_question_prices_that_room_only(
    demo_api: Any, open_demo: psycopg.Connection[Any]
) -> None:
    set_clock(open_demo, NOW)
    asked = group_on("flexible", "flexible")
    asked["rooms"][1]["inputs"] = {"pets": 99}  # more than the pets rule allows
    refused = await demo_api.post(HOLDS, json=asked)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "rooms[1].inputs.pets"  # names the room and the input
    assert rows(open_demo) == []  # nothing held
    asked["rooms"][1]["inputs"] = {"pets": 1}
    hold, _ = await book_group(demo_api, asked)
    double, suite = hold["quotes"]
    alone = [
        (await demo_api.post(QUOTES, json={**TERMS_STAY, **room})).json() for room in asked["rooms"]
    ]
    # The suite's quote carries the pet's fee, the double's does not.
    assert suite["inputs"] == {"pets": 1} and not double.get("inputs")
    assert (double["total"], suite["total"]) == (alone[0]["total"], alone[1]["total"])
    no_pet = {**TERMS_STAY, **asked["rooms"][1], "inputs": {}}
    without = (await demo_api.post(QUOTES, json=no_pet)).json()
    assert suite["total"] - without["total"] == 3 * 1000  # EUR 10 a night, three nights
    stored = open_demo.execute(
        "SELECT quote->'inputs' FROM reservation ORDER BY group_position"
    ).fetchall()
    assert [row[0] or {} for row in stored] == [{}, {"pets": 1}]


async def test_a_group_whose_first_units_another_guest_is_holding_takes_other_free_ones(
    demo_api: Any, open_demo: psycopg.Connection[Any], redis_url: str
) -> None:
    """Guests racing for rooms meet at the gate before any of them is written to Postgres,
    so a worker's memory still shows the rooms of a hold of that moment as free. A group
    whose first choice is in the way then tries other free units, as one room does."""
    other = await demo_api.post(HOLDS, json={**STAY, "room_type": "garden-single", "adults": 1})
    assert other.status_code == 201
    wish = rooms("double-sea-view", "family-suite")
    first = await demo_api.post(HOLDS, json=wish)
    assert first.status_code == 201, first.text
    units = group_units(open_demo, first.json()["id"])
    released = await demo_api.delete(
        f"/api/v1/holds/{first.json()['id']}", headers={"X-Hold-Token": first.json()["token"]}
    )
    assert released.status_code in (200, 204), released.text
    # The other guest's live hold now has the gate of the double the group would take first.
    property_id = open_demo.execute("SELECT id FROM property WHERE slug = 'demo'").fetchone()[0]
    check_in, check_out = (
        date.fromisoformat(STAY["check_in"]),
        date.fromisoformat(STAY["check_out"]),
    )
    gate = redis.Redis.from_url(redis_url)
    for key in night_keys(property_id, units[0], check_in, check_out):
        gate.set(key, f"{other.json()['id']}:{int(time.time() * 1000)}", px=60_000)

    again = await demo_api.post(HOLDS, json=wish)
    assert again.status_code == 201, again.text
    taken = group_units(open_demo, again.json()["id"])
    assert taken[0] != units[0] and taken[1] == units[1]


def group_units(conn: psycopg.Connection[Any], group: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            """SELECT unit_id FROM reservation WHERE group_id = %s AND status = 'held'
               ORDER BY group_position""",
            (group,),
        ).fetchall()
    ]


async def test_a_released_group_gives_back_the_gates_of_every_room(
    demo_api: Any, open_demo: psycopg.Connection[Any], redis_url: str
) -> None:
    held = await demo_api.post(HOLDS, json=rooms("double-sea-view", "family-suite"))
    assert held.status_code == 201, held.text
    gate = redis.Redis.from_url(redis_url)
    assert len(list(gate.scan_iter("innkeep:*:gate:*"))) == 2 * 3  # two rooms, three nights
    released = await demo_api.delete(
        f"/api/v1/holds/{held.json()['id']}", headers={"X-Hold-Token": held.json()["token"]}
    )
    assert released.status_code == 200, released.text
    # The group took them all under its own id; the next guest finds none in the way.
    assert list(gate.scan_iter("innkeep:*:gate:*")) == []
