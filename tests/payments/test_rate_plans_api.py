"""Rate plans, extras and rule inputs through the API, on the demo guesthouse (plans
`flexible` and `non-refundable`, extras `breakfast` and `parking`, the `pets` question):
quotes name their plan, every choice is checked and part of the hash, a hold's stored quote
is what checkout charges, and a cancellation refunds by the plan's policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.helpers import set_clock
from tests.payments.conftest import GUEST
from tests.payments.test_manage_booking import cancel, manage_link

NOW = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
QUOTES = "/api/v1/properties/demo/quotes"
HOLDS = "/api/v1/properties/demo/holds"
#: Monday to Thursday in March: no season, no weekend, no last-minute change.
DOUBLE = {
    "room_type": "double-sea-view",
    "check_in": "2027-03-15",
    "check_out": "2027-03-18",
    "adults": 2,
}


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


async def test_a_quote_names_its_plan_and_every_plan_can_be_quoted_at_once(demo_api: Any) -> None:
    flexible = (await demo_api.post(QUOTES, json=DOUBLE)).json()
    assert flexible["rate_plan"] == "flexible"
    assert [line["stage"] for line in flexible["nights"][0]["lines"]] == ["base"]
    chosen = (await demo_api.post(QUOTES, json={**DOUBLE, "rate_plan": "non-refundable"})).json()
    assert chosen["rate_plan"] == "non-refundable"
    plan_line = chosen["nights"][0]["lines"][-1]
    assert {k: v for k, v in plan_line.items() if k != "notes"} == {
        "rule": "non-refundable",
        "stage": "plan",
        "amount": -1400,
        "note": "-10%: Non-refundable rate",
    }
    # each reader gets the plan's line in their language, named as the owner wrote it there
    assert plan_line["notes"]["it"] == "-10%: tariffa Non rimborsabile"
    assert plan_line["notes"]["de"] == "-10 %: Tarif Nicht erstattbar"
    both = await demo_api.post(f"{QUOTES}/all-plans", json=DOUBLE)
    assert both.status_code == 200, both.text
    assert both.json()["quotes"] == [flexible, chosen]
    calendar = (
        await demo_api.get(
            "/api/v1/properties/demo/calendar",
            params={"start": "2027-03-15", "end": "2027-03-18", "adults": 2},
        )
    ).json()
    double = next(r for r in calendar["room_types"] if r["slug"] == "double-sea-view")
    # The calendar's figure is the lowest over the plans: the non-refundable night.
    assert [n["price"]["amount"] for n in double["nights"]] == [
        n["amount"] for n in chosen["nights"]
    ]
    described = (await demo_api.get("/api/v1/properties/demo")).json()
    assert [p["slug"] for p in described["rate_plans"]] == ["flexible", "non-refundable"]
    assert described["rate_plans"][1]["cancellation_policy"]["free_cancellation"] is False
    assert [e["slug"] for e in described["extras"]] == ["breakfast", "parking"]
    assert described["inputs"][0]["name"] == "pets" and described["inputs"][0]["maximum"] == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extras": {"spa": 1}}, "extras.spa"),
        ({"extras": {"parking": 2}}, "extras.parking"),
        ({"extras": {"breakfast": 3}}, "extras.breakfast"),
        ({"inputs": {"pets": 9}}, "inputs.pets"),
        ({"inputs": {"cats": 1}}, "inputs.cats"),
        ({"rate_plan": "weekly"}, "rate_plan"),
    ],
)
async def test_a_choice_that_does_not_fit_is_422_naming_it_and_holds_nothing(
    demo_api: Any, demo_property: psycopg.Connection[Any], change: dict[str, Any], field: str
) -> None:
    for url in (QUOTES, HOLDS, f"{QUOTES}/all-plans"):
        body = {**DOUBLE, **change}
        if url.endswith("all-plans"):
            body.pop("rate_plan", None)
            if "rate_plan" in change:
                continue
        answer = await demo_api.post(url, json=body)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["error"] == "invalid" and answer.json()["field"] == field
    assert demo_property.execute("SELECT count(*) FROM reservation").fetchone() == (0,)


async def test_the_quote_hash_follows_extras_and_inputs_and_a_hold_keeps_them(
    demo_api: Any,
) -> None:
    plain = (await demo_api.post(QUOTES, json=DOUBLE)).json()
    chosen = {**DOUBLE, "extras": {"breakfast": 2}, "inputs": {"pets": 1}}
    priced = (await demo_api.post(QUOTES, json=chosen)).json()
    pets_only = (await demo_api.post(QUOTES, json={**DOUBLE, "inputs": {"pets": 1}})).json()
    hashes = {plain["quote_hash"], priced["quote_hash"], pets_only["quote_hash"]}
    assert len(hashes) == 3
    # 12 × 2 guests × 3 nights, and 10 × 1 pet × 3 nights.
    assert priced["total"] == plain["total"] + 7200 + 3000
    stale = await demo_api.post(HOLDS, json={**chosen, "quote_hash": plain["quote_hash"]})
    assert stale.status_code == 409 and stale.json()["error"] == "price_changed"
    assert stale.json()["quote"]["quote_hash"] == priced["quote_hash"]
    held = await demo_api.post(HOLDS, json={**chosen, "quote_hash": priced["quote_hash"]})
    assert held.status_code == 201, held.text
    assert held.json()["quote"] == priced


async def test_the_pet_line_carries_its_words_in_every_language_and_the_hold_keeps_them(
    demo_api: Any,
) -> None:
    stay = {**DOUBLE, "inputs": {"pets": 2}}
    quote = (await demo_api.post(QUOTES, json=stay)).json()
    pet = next(line for line in quote["stay_lines"] if line["rule"] == "pets")
    assert pet["note"] == "2 pets × EUR 10.00 a night"  # the English words, as before
    assert pet["notes"]["it"] == "2 animali × 10,00\xa0€ a notte"
    assert pet["notes"]["de"] == "2 Haustiere × 10,00\xa0€ pro Nacht"
    assert sorted(pet["notes"]) == ["de", "en", "es", "fr", "it"]
    held = await demo_api.post(HOLDS, json={**stay, "quote_hash": quote["quote_hash"]})
    assert held.status_code == 201, held.text
    assert held.json()["quote"] == quote


async def test_the_extras_lines_and_their_vat_are_in_every_language(demo_api: Any) -> None:
    stay = {**DOUBLE, "extras": {"breakfast": 2}}
    quote = (await demo_api.post(QUOTES, json=stay)).json()
    lines = [line for line in quote["stay_lines"] if line["rule"] == "extras.breakfast"]
    words = [(line["kind"], line["notes"]["de"], line["notes"]["it"]) for line in lines]
    assert words == [
        (
            "extra",
            "Frühstück × 2: 12,00\xa0€ pro Gast und Nacht",
            "Colazione × 2: 12,00\xa0€ a persona a notte",
        ),
        ("tax", "inkl. 10 % MwSt.", "IVA 10% inclusa"),
    ]


async def book(api: Any, stay: dict[str, Any]) -> tuple[dict[str, Any], str]:
    held = await api.post(HOLDS, json=stay)
    assert held.status_code == 201, held.text
    hold = held.json()
    headers = {"X-Hold-Token": hold["token"]}
    assert (
        await api.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    ).status_code == 200
    done = await api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    return hold["quote"], done.json()["reference"]


async def test_checkout_charges_the_stored_quote_and_a_non_refundable_rate_refunds_nothing(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    stay = {
        **DOUBLE,
        "rate_plan": "non-refundable",
        "extras": {"breakfast": 2, "parking": 1},
        "inputs": {"pets": 1},
    }
    quote, reference = await book(demo_api, stay)
    charged = demo_property.execute("SELECT amount FROM demo_payment").fetchone()
    # Breakfast is paid now; parking (its VAT included) and the city tax at the property.
    assert charged == (quote["due_now"],)
    assert quote["total"] - quote["due_now"] == 4500 + 1500
    path, secret = manage_link(demo_property)
    booking = (
        await demo_api.get(f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret})
    ).json()
    assert booking["rate_plan"] == "non-refundable"
    assert booking["extras"] == {"breakfast": 2, "parking": 1}
    assert booking["cancellation"]["free_until"] is None
    assert booking["cancellation"]["refund_if_cancelled_now"]["amount"] == 0
    mail = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    assert mail is not None
    assert "Tarif: Nicht erstattbar" in mail[0]
    assert "Extras: Frühstück × 2, Parkplatz × 1" in mail[0]
    assert "nicht kostenlos stornierbar" in mail[0]
    done = await cancel(demo_api, path, secret)
    assert done.status_code == 200 and "Nicht erstattbar" in done.text
    refund = demo_property.execute("SELECT refund_amount, status::text FROM reservation").fetchone()
    assert refund == (0, "cancelled")


async def test_a_flexible_booking_cancelled_early_refunds_all_it_paid(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    quote, _ = await book(demo_api, {**DOUBLE, "extras": {"breakfast": 1}})
    assert quote["rate_plan"] == "flexible"
    path, secret = manage_link(demo_property)
    await cancel(demo_api, path, secret)
    refund = demo_property.execute("SELECT refund_amount FROM reservation").fetchone()
    assert refund == (quote["due_now"],)
    refunded = demo_property.execute("SELECT amount_refunded FROM demo_payment").fetchone()
    assert refunded == (quote["due_now"],)


async def test_a_property_without_plans_answers_as_before(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    from tests.helpers import property_toml
    from widget.properties.apply import apply_property
    from widget.properties.file import parse_property

    text = property_toml(slug="plain")
    head, _, rest = text.partition("# Rate plans:")
    text = head + "# Pricing rules:" + rest.partition("# Pricing rules:")[2]
    apply_property(demo_property, parse_property(text))
    quote = (await demo_api.post("/api/v1/properties/plain/quotes", json=DOUBLE)).json()
    assert not {"rate_plan", "extras", "inputs"} & set(quote)
    assert [line["stage"] for line in quote["nights"][0]["lines"]] == ["base"]
    described = (await demo_api.get("/api/v1/properties/plain")).json()
    assert not {"rate_plans", "extras"} & set(described)
    refused = await demo_api.post(
        "/api/v1/properties/plain/quotes", json={**DOUBLE, "rate_plan": "flexible"}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "rate_plan"


async def test_every_plan_at_once_leaves_out_an_extra_a_plan_does_not_offer(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    from tests.helpers import property_toml
    from widget.properties.apply import apply_property
    from widget.properties.file import parse_property

    text = property_toml().replace(
        'per = "guest_night"\n', 'per = "guest_night"\nrate_plans = ["flexible"]\n', 1
    )
    apply_property(demo_property, parse_property(text))
    chosen = {**DOUBLE, "extras": {"breakfast": 2}}
    both = (await demo_api.post(f"{QUOTES}/all-plans", json=chosen)).json()["quotes"]
    assert [(q["rate_plan"], q.get("extras", {})) for q in both] == [
        ("flexible", {"breakfast": 2}),
        ("non-refundable", {}),
    ]
    refused = await demo_api.post(QUOTES, json={**chosen, "rate_plan": "non-refundable"})
    assert refused.status_code == 422 and refused.json()["field"] == "extras.breakfast"


async def test_an_italian_guest_reads_the_pet_fee_in_italian_in_the_email_and_on_the_page(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    held = await demo_api.post(HOLDS, json={**DOUBLE, "inputs": {"pets": 2}})
    assert held.status_code == 201, held.text
    hold = held.json()
    headers = {"X-Hold-Token": hold["token"]}
    italian = {**GUEST, "guest": {**GUEST["guest"], "language": "it"}}  # type: ignore[dict-item]
    answer = await demo_api.post(
        f"/api/v1/holds/{hold['id']}/checkout", json=italian, headers=headers
    )
    assert answer.status_code == 200, answer.text
    done = await demo_api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    pet = "2 animali × 10,00\xa0€ a notte: 60,00\xa0€"  # 2 pets × 3 nights
    row = demo_property.execute(
        "SELECT body_text, body_html FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    assert row is not None
    text, html = row
    assert "Costi, sconti e tasse:" in text and f"- {pet}" in text
    assert "a night" not in text and pet in html
    path, secret = manage_link(demo_property)
    page = await demo_api.get(path, params={"key": secret})
    assert page.status_code == 200 and pet in page.text and "pets ×" not in page.text
