"""The booking services' refusals on the console, in the owner's language: said by the
refusal's sentence and the values it names (the clashing reservation's reference, the
minimum nights, the date), the English message for an English owner as before and for a
refusal without words."""

from __future__ import annotations

import html
import re
import string
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.console.conftest import OWNER, STAFF, add_booking, csrf_of, enter
from tests.console.test_booking_page import booked
from tests.console.test_date_changes import _change, _form
from tests.console.test_desk_bookings import SUMMER
from tests.console.test_group_bookings import open_people  # noqa: F401
from tests.payments.test_room_groups import book_group, group_on
from widget.console.refusal_text import PREFIX, refusal_text
from widget.errors import Amount, Conflict, Invalid, Said
from widget.i18n import CONSOLE_CATALOGUE, LANGUAGES

#: Every sentence a console page can say a refusal with: the booking services' refusals
#: (by their code, or the sentence they name when one code has several) and the console's
#: own form refusals, with the parts a sentence is made of (what is in the way of a move).
CONSOLE_REFUSALS = (
    # Stay restrictions and the property's window (a new booking, a change of dates).
    "min_stay",
    "max_stay",
    "closed_to_arrival",
    "closed_to_departure",
    "check_out_first",
    "stay_too_long",
    "past",
    "beyond_horizon",
    "unknown_room_type",
    # What is in the way of a move or of new dates.
    "unit_taken",
    "unit_not_free",
    "unit_clashes",
    "dates_taken",
    "a_room_not_free",
    "clash_booking",
    "clash_hold",
    "clash_block",
    "clash_block_no_reason",
    "clash_other",
    # The booking's actions.
    "stale",
    "not_movable",
    "not_changeable",
    "not_cancellable",
    "not_confirmed",
    "too_late_to_cancel",
    "room_too_late",
    "first_room",
    "room_cancelled",
    "dates_changed",
    "change_unpaid",
    "change_still_due",
    "dates_refund_too_large",
    "balance_busy",
    "no_such_room",
    "room_refund_too_large",
    "refund_range",
    "price_changed",
    # A new booking.
    "taken_others_free",
    "taken_none_free",
    "hold_expired",
    "not_booked",
    # The console's own forms.
    "form_stale",
    "refund_amount",
    "choose_room_to_cancel",
    "choose_room",
    "one_room",
    "choose_booked_room",
    "dates_needed",
    "choose_unit",
    "party_numbers",
    "party_too_big",
    "override_reason",
    # Erasing a guest.
    "stay_not_ended",
    "a_hold",
)


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refusal_the_console_shows_is_said_in_every_language(language: str) -> None:
    """A refusal added to this list without its words in every language fails here; an
    English sentence copied into another language is no translation either (but a sentence
    that is only its parts, like "{unit}: {clashes}")."""
    english, words = CONSOLE_CATALOGUE["en"], CONSOLE_CATALOGUE[language]
    missing = [key for key in CONSOLE_REFUSALS if PREFIX + key not in words]
    assert not missing
    if language == "en":
        return
    untranslated = [
        key
        for key in CONSOLE_REFUSALS
        if words[PREFIX + key] == english[PREFIX + key]
        and re.sub(r"\{\w+\}", "", english[PREFIX + key]).strip(" :;.")
    ]
    assert not untranslated


def test_every_sentence_the_service_names_is_one_the_console_has_words_for() -> None:
    """A refusal given a new sentence (``Said("…")``) in the code, but not added to the
    list above (and so perhaps without words), fails here."""
    widget = Path(__file__).resolve().parents[2] / "widget"
    named = {
        key
        for source in widget.rglob("*.py")
        for key in re.findall(r'\bSaid\(\s*"(\w+)"', source.read_text())
    }
    assert named, "no sentence found: has Said been renamed?"
    assert not named - set(CONSOLE_REFUSALS)


def test_a_refusal_is_said_with_its_values_in_the_language() -> None:
    nights = {"first": date(2027, 6, 3), "last": date(2027, 6, 4)}
    clashes = [Said("clash_booking", {"reference": "ABC123", **nights})]
    taken = Conflict(
        "Room 2 is not free", said=Said("unit_taken", {"unit": "Room 2", "clashes": clashes})
    )
    assert refusal_text(taken, "de") == (
        "Room 2 ist für diesen Aufenthalt nicht frei: Buchung ABC123 (03.06.2027 bis 04.06.2027)."
    )
    owed = Conflict("owed", said=Said("change_still_due", {"amount": Amount(1250, "EUR")}))
    assert "12,50\xa0€" in refusal_text(owed, "de")
    assert refusal_text(taken, "en") == "Room 2 is not free"


def test_a_refusal_without_words_or_values_says_its_english_message() -> None:
    assert refusal_text(Invalid("no words yet", code="brand_new"), "it") == "no words yet"
    unfilled = Invalid("stays must be longer", said=Said("min_stay", {"nights": 3}))
    assert refusal_text(unfilled, "it") == "stays must be longer"
    assert refusal_text(Invalid("as it was", said=Said("min_stay")), "xx") == "as it was"


def _said(page: str, testid: str) -> str:
    """The text of the element ``data-testid=testid`` of ``page``, as a user reads it."""
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</p>', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def _speaks(conn: psycopg.Connection[Any], email: str, language: str) -> None:
    conn.execute("UPDATE console_user SET language = %s WHERE email = %s", (language, email))
    conn.commit()


async def _refused_move(client: Any, reference: str) -> Any:
    choose = await client.get(f"/admin/demo/bookings/{reference}/move")
    units = re.findall(
        r'value="(\d+)"\s+(?:disabled\s+)?data-testid="move-unit" data-unit="([^"]+)"',
        choose.text,
    )
    room_2 = next(unit_id for unit_id, name in units if name == "Room 2")
    preview = await client.get(f"/admin/demo/bookings/{reference}/move", params={"unit": room_2})
    version = re.search(r'name="version" value="(\d+)"', preview.text)
    assert version is not None
    form = {"unit": room_2, "version": version.group(1), "_csrf_token": csrf_of(preview.text)}
    return await client.post(f"/admin/demo/bookings/{reference}/move", data=form)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Room 2 is not free for this stay: booking CLASH1 (2027-06-03 to 2027-06-04)."),
        (
            "it",
            "Room 2 non è libera per questo soggiorno: la prenotazione CLASH1 "
            "(dal 3 giu 2027 al 4 giu 2027).",
        ),
    ],
)
async def test_a_refused_move_names_the_clash_in_the_owners_language(
    app_client: Any, people: psycopg.Connection[Any], language: str, said: str
) -> None:
    reference = await booked(app_client, people)
    add_booking(people, "CLASH1", "2027-06-03", "2027-06-05", unit="Room 2")
    _speaks(people, OWNER, language)
    enter(app_client, people, OWNER)
    refused = await _refused_move(app_client, reference)
    assert refused.status_code == 409
    assert _said(refused.text, "action-error") == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "stays arriving on 2027-07-13 must be at least 3 nights"),
        ("de", "Aufenthalte mit Anreise am 13.07.2027 müssen mindestens 3 Nächte dauern"),
        ("it", "i soggiorni con arrivo il 13 lug 2027 durano almeno 3 notti"),
    ],
)
async def test_a_stay_under_the_minimum_is_refused_in_the_owners_language(
    app_client: Any, people: psycopg.Connection[Any], language: str, said: str
) -> None:
    _speaks(people, STAFF, language)
    enter(app_client, people, STAFF)
    refused = await app_client.get("/admin/demo/bookings/new", params=SUMMER)
    assert refused.status_code == 422
    assert _said(refused.text, "new-booking-error") == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Room 1 is not free for these dates: booking CLASH2 (2027-06-04 to 2027-06-05)."),
        (
            "de",
            "Room 1 ist an diesen Daten nicht frei: Buchung CLASH2 (04.06.2027 bis 05.06.2027).",
        ),
    ],
)
async def test_new_dates_in_the_way_of_another_booking_are_refused_in_the_owners_language(
    app_client: Any, people: psycopg.Connection[Any], language: str, said: str
) -> None:
    reference = await booked(app_client, people)
    add_booking(people, "CLASH2", "2027-06-04", "2027-06-06", unit="Room 1")
    _speaks(people, OWNER, language)
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-06")
    clash = said.split(": ", 1)[1].rstrip(".")
    assert clash in _said(preview.text, "dates-clash")
    refused = await app_client.post(
        f"/admin/demo/bookings/{reference}/dates", data=_form(preview.text)
    )
    assert refused.status_code == 409
    assert _said(refused.text, "action-error") == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "check_in 2020-01-06 is in the past"),
        ("de", "die Anreise am 06.01.2020 liegt in der Vergangenheit"),
    ],
)
async def test_new_dates_in_the_past_are_refused_in_the_owners_language(
    app_client: Any, people: psycopg.Connection[Any], language: str, said: str
) -> None:
    reference = await booked(app_client, people)
    _speaks(people, OWNER, language)
    enter(app_client, people, OWNER)
    refused = await app_client.get(
        f"/admin/demo/bookings/{reference}/dates",
        params={"check_in": "2020-01-06", "check_out": "2020-01-08"},
    )
    assert refused.status_code == 422
    assert _said(refused.text, "action-error").startswith(said)


async def test_a_room_that_cannot_be_cancelled_alone_is_refused_in_the_owners_language(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    _, done = await book_group(app_client, group_on("flexible", "flexible"))
    _speaks(open_people, OWNER, "fr")
    enter(app_client, open_people, OWNER)
    first = await app_client.get(
        f"/admin/demo/bookings/{done['reference']}/cancel-room", params={"room": 0}
    )
    assert first.status_code == 409
    assert _said(first.text, "action-error") == (
        "La première chambre porte la réservation : annulez toute la réservation, "
        "ou les autres chambres."
    )
