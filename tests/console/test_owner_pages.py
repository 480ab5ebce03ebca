"""The Reports and Guests pages over HTTP, as an owner and as staff."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from tests.console.conftest import OWNER, STAFF, STRANGER, csrf_of
from tests.helpers import add_reservation, move_property_clock, set_clock, stored_quote
from widget.i18n import console_messages
from widget.reports.figures import FIGURES

ROME = ZoneInfo("Europe/Rome")
ANNA = {"name": "Anna <b>Rossi</b>", "email": "anna@example.com"}


def _stays(
    db: psycopg.Connection[Any],
    stays: tuple[tuple[str, str, str], ...] = (
        ("PAST1", "2026-05-01", "2026-05-04"),
        ("SOON1", "2027-04-01", "2027-04-03"),
    ),
    property_slug: str = "demo",
) -> None:
    set_clock(db, datetime(2027, 3, 1, 9, 0, tzinfo=ROME))
    for ref, check_in, check_out in stays:
        add_reservation(
            db,
            check_in=check_in,
            check_out=check_out,
            property_slug=property_slug,
            reference=ref,
            guest=ANNA,
            adults=2,
            quote=stored_quote(check_in, check_out, due_now=20000, total=20500),
        )


async def test_reports_show_each_figure_with_its_definition_and_the_files(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    _stays(people)
    client = await signed_in(OWNER)
    answer = await client.get("/admin/demo/reports?year=2026")
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert 'data-testid="chart-occupancy"' in html and '<rect class="bar"' in html
    assert "Revenue per available room night: room revenue ÷ nights available." in html
    assert 'data-label="2026-05"' in html
    ledger = await client.get("/admin/demo/reports/bookings.csv?year=2026")
    assert ledger.status_code == 200
    assert ledger.headers["content-type"].startswith("text/csv")
    assert 'filename="demo-bookings-2026.csv"' in ledger.headers["content-disposition"]
    assert "PAST1" in ledger.text and "SOON1" not in ledger.text
    assert (await client.get("/admin/demo/reports/secrets.csv")).status_code == 404
    assert (await client.get("/admin/demo/reports?year=1066")).status_code == 422


def _figure_cards(html: str) -> dict[str, str]:
    """Each figure's card on the Reports page (its name, the year's value, its meaning)."""
    cards = re.findall(r'<div class="figure-card"[^>]*data-figure="(\w+)">(.*?)</div>', html, re.S)
    return {key: " ".join(unescape(re.sub(r"<[^>]+>", " ", card)).split()) for key, card in cards}


async def test_an_italian_owner_reads_the_reports_in_italian_each_figure_beside_its_meaning(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    _stays(people)
    people.execute("UPDATE console_user SET language = 'it' WHERE email = %s", (OWNER,))
    people.commit()
    client = await signed_in(OWNER)
    html = (await client.get("/admin/demo/reports?year=2026")).text
    english, italian = console_messages("en"), console_messages("it")
    shown = unescape(html).replace(
        italian["report_adr"], ""
    )  # "Prezzo medio (ADR)" keeps the acronym
    for key, words in english.items():
        if key.startswith("report_") and words != italian[key]:
            assert words not in shown, f"{key} in English: {words!r}"
    for words in ("same day", "91 days or more", ">direct<", "Definitions"):
        assert words not in html
    assert italian["report_direct"] in html and italian["report_lead_longer"] in html
    assert "maggio 2026" in html and ">mag<" in html  # the months, the chart's bars
    assert "1,6 %" in html  # May's 3 nights of 186, written the Italian way
    assert ">2.190<" in html  # the year's nights available (6 units × 365)
    cards = _figure_cards(html)
    assert list(cards) == list(FIGURES)
    for key, card in cards.items():
        assert card.startswith(italian[f"report_{key}"]), card
        assert card.endswith(italian[f"report_{key}_means"]), card
        # each table's column for the figure is described by that same definition
        assert html.count(f'id="means-{key}"') == 1
        assert html.count(f'aria-describedby="means-{key}"') == 2


async def test_staff_find_and_export_a_guest_but_do_not_erase(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    _stays(people)
    client = await signed_in(STAFF)
    page = await client.get("/admin/demo/guests")
    token = csrf_of(page.text)
    found = await client.post(
        "/admin/demo/guests", data={"_csrf_token": token, "email": "ANNA@example.com"}
    )
    assert found.status_code == 200
    assert found.text.count('data-testid="guest-stay"') == 2
    assert "Anna &lt;b&gt;Rossi&lt;/b&gt;" in found.text
    assert 'data-testid="guest-erase"' not in found.text
    exported = await client.post(
        "/admin/demo/guests",
        data={"_csrf_token": token, "email": "anna@example.com", "action": "export"},
    )
    assert exported.headers["content-disposition"] == 'attachment; filename="guest.json"'
    assert [r["reference"] for r in json.loads(exported.text)["reservations"]] == ["PAST1", "SOON1"]
    for action in ("erase", "retention"):
        refused = await client.post(
            "/admin/demo/guests",
            data={
                "_csrf_token": token,
                "email": "anna@example.com",
                "action": action,
                "years": "2",
            },
        )
        assert refused.status_code == 403
        assert 'data-error="owners_only"' in refused.text


async def test_an_owner_erases_a_past_guest_not_a_coming_one_and_sets_retention(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    _stays(people)
    client = await signed_in(OWNER)
    token = csrf_of((await client.get("/admin/demo/guests")).text)
    refused = await client.post(
        "/admin/demo/guests",
        data={"_csrf_token": token, "email": "anna@example.com", "action": "erase"},
    )
    assert refused.status_code == 409
    assert "SOON1" in refused.text
    people.execute("UPDATE reservation SET status = 'cancelled' WHERE reference = 'SOON1'")
    people.commit()
    erased = await client.post(
        "/admin/demo/guests",
        data={"_csrf_token": token, "email": "anna@example.com", "action": "erase"},
    )
    assert 'data-testid="guest-erased"' in erased.text
    saved = await client.post(
        "/admin/demo/guests",
        data={"_csrf_token": token, "action": "retention", "years": "3"},
        follow_redirects=True,
    )
    assert "Guests are anonymised 3 years after they leave." in saved.text
    bad = await client.post(
        "/admin/demo/guests", data={"_csrf_token": token, "action": "retention", "years": "99"}
    )
    assert bad.status_code == 422


async def test_a_test_propertys_moved_clock_makes_a_coming_guest_past_there_only(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    _stays(people)
    _stays(people, (("OTHER1", "2027-04-01", "2027-04-03"),), property_slug="other")
    move_property_clock(
        people, "demo", timedelta(days=40)
    )  # demo's today: 10 April 2027, after SOON1 left
    client = await signed_in(OWNER)
    token = csrf_of((await client.get("/admin/demo/guests")).text)
    found = await client.post(
        "/admin/demo/guests", data={"_csrf_token": token, "email": "anna@example.com"}
    )
    assert 'data-reference="SOON1" data-ended="true"' in found.text
    assert "stay ended" in found.text.split('data-reference="SOON1"')[1].split("</tr>")[0]
    erased = await client.post(
        "/admin/demo/guests",
        data={"_csrf_token": token, "email": "anna@example.com", "action": "erase"},
    )
    assert erased.status_code == 200 and 'data-testid="guest-erased"' in erased.text

    # The other property keeps the deployment's clock: its stay is still to come.
    client = await signed_in(STRANGER)
    token = csrf_of((await client.get("/admin/other/guests")).text)
    found = await client.post(
        "/admin/other/guests", data={"_csrf_token": token, "email": "anna@example.com"}
    )
    assert 'data-reference="OTHER1" data-ended="false"' in found.text
    refused = await client.post(
        "/admin/other/guests",
        data={"_csrf_token": token, "email": "anna@example.com", "action": "erase"},
    )
    assert refused.status_code == 409 and "OTHER1" in refused.text
