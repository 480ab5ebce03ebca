"""The payment schedule in the guest's e-mails and on their manage page (what was paid, what
is due when), and the balance e-mails in each of the five languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

import msgspec
import psycopg
import pytest

from engine import Quote
from engine.quote import Instalment
from tests.helpers import set_clock
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import BALANCE_DAY, DOUBLE, NOW, book, card_on_file, run_job
from widget.i18n import LANGUAGES
from widget.mail.balance_mail import (
    balance_charged,
    balance_failed_guest,
    balance_needs_guest,
    balance_reminder,
)
from widget.mail.compose import balance_due_owner, dates_changed, language_of, payment_link
from widget.mail.formats import long_date, money
from widget.mail.phrases import phrases
from widget.rows import BookingMail, CancellationPolicy, Guest

LINK = "https://innkeep.example/pay/0f0e?key=secret-key"
DUE = date(2027, 3, 1)


def booking_in(language: str) -> BookingMail:
    quote = Quote(
        "double",
        date(2027, 3, 15),
        date(2027, 3, 18),
        [],
        [],
        46000,
        13800,
        "EUR",
        "h",
        payment_schedule=[Instalment(date(2027, 1, 15), 13800), Instalment(DUE, 32200)],
    )
    return BookingMail(
        id=uuid4(),
        reference="K7Q-4MZP",
        guest=Guest("Zoë Ángel", "zoe@example.com", language=language),
        quote=quote,
        check_in=date(2027, 3, 15),
        check_out=date(2027, 3, 18),
        adults=2,
        children=[],
        room_type_name="Double",
        property_name="Casa Lanterna",
        contact_email="owner@example.com",
        currency="EUR",
        locale="it_IT",
        check_in_time=time(15),
        check_out_time=time(10),
        cancellation_policy=CancellationPolicy(7, 100),
        time_zone="Europe/Rome",
    )


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_balance_email_is_written_in_the_guests_language(language: str) -> None:
    booking = booking_in(language)
    amount = money(32200, "EUR", language)
    written = [
        *balance_reminder(booking, 32200, DUE, LINK),
        *balance_charged(booking, 32200),
        *balance_failed_guest(booking, 32200, LINK),
        *balance_needs_guest(booking, 32200, LINK),
    ]
    assert [m.kind for m in written] == [
        "guest_balance_reminder",
        "guest_balance_charged",
        "guest_balance_failed",
        "guest_balance_action",
    ]
    english = [
        *balance_reminder(booking_in("en"), 32200, DUE, LINK),
        *balance_charged(booking_in("en"), 32200),
        *balance_failed_guest(booking_in("en"), 32200, LINK),
        *balance_needs_guest(booking_in("en"), 32200, LINK),
    ]
    for message, in_english in zip(written, english, strict=True):
        assert message.recipient == "zoe@example.com"
        assert "K7Q-4MZP" in message.subject and "Casa Lanterna" in message.subject
        assert amount in message.text and "Zoë Ángel" in message.text
        if language != "en":
            assert message.subject != in_english.subject, (language, message.kind)
            assert message.text != in_english.text
        if message.kind != "guest_balance_charged":
            assert LINK in message.text and f'href="{LINK}"' in message.html
    assert long_date(DUE, language) in written[0].subject


async def test_a_deposit_bookings_email_and_manage_page_show_what_was_paid_and_what_is_due(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    set_clock(demo_property, NOW)
    booked = await book(demo_api, DOUBLE)
    deposit, balance = booked["quote"]["payment_schedule"]
    row = demo_property.execute(
        "SELECT body_text, body_html FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    assert row is not None
    text, html = row
    paid_now = money(deposit["amount"], "EUR", "de")
    later = money(balance["amount"], "EUR", "de")
    on_day = long_date(date.fromisoformat(balance["due"]), "de")
    assert "Zahlungsplan" in text  # the guest chose German
    assert f"{paid_now} bei der Buchung bezahlt" in text
    assert f"{later} werden am {on_day} abgebucht" in text
    assert "Zahlungsplan" in html
    owner = demo_property.execute(
        """SELECT m.body_text, p.locale FROM outbox_message m, property p
           WHERE m.kind = 'owner_notification'"""
    ).fetchone()
    assert owner is not None
    owners = language_of(owner[1].split("_")[0])  # the owner reads the property's language
    assert phrases(owners)["schedule"] in owner[0]
    assert long_date(date.fromisoformat(balance["due"]), owners) in owner[0]
    path, secret = manage_link(demo_property)
    page = (await demo_api.get(path, params={"key": secret})).text
    assert f"{later} werden am {on_day} abgebucht" in page
    set_clock(demo_property, BALANCE_DAY)
    await run_job(demo_property, quiet_settings)
    page = (await demo_api.get(path, params={"key": secret})).text
    assert f"Restbetrag von {later} bezahlt" in page and "abgebucht" not in page


async def test_a_declined_balance_shows_as_due_on_the_manage_page(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    set_clock(demo_property, NOW)
    booked = await book(demo_api, DOUBLE)
    card_on_file(demo_property, booked["reference"], "decline")
    set_clock(demo_property, datetime(2027, 3, 1, 9, tzinfo=UTC))
    await run_job(demo_property, quiet_settings)
    path, secret = manage_link(demo_property)
    page = (await demo_api.get(path, params={"key": secret})).text
    later = money(booked["quote"]["payment_schedule"][1]["amount"], "EUR", "de")
    assert f"Restbetrag von {later} offen" in page


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_date_change_and_payment_link_emails_are_in_the_guests_language(
    language: str,
) -> None:
    booking = booking_in(language)
    words = phrases(language)
    written = [
        *dates_changed(booking, date(2027, 3, 14), date(2027, 3, 17), "link", 4500, LINK),
        payment_link(
            ("Zoë Ángel", "zoe@example.com", language),
            "Casa Lanterna",
            13800,
            "EUR",
            (date(2027, 3, 15), date(2027, 3, 18)),
            datetime(2027, 1, 16, 9, 30, tzinfo=UTC),
            LINK,
        ),
    ]
    english = [
        *dates_changed(booking_in("en"), date(2027, 3, 14), date(2027, 3, 17), "link", 4500, LINK),
        payment_link(
            ("Zoë Ángel", "zoe@example.com", "en"),
            "Casa Lanterna",
            13800,
            "EUR",
            (date(2027, 3, 15), date(2027, 3, 18)),
            datetime(2027, 1, 16, 9, 30, tzinfo=UTC),
            LINK,
        ),
    ]
    changed, link = written
    assert changed.subject == words["dates_subject"].format(
        property="Casa Lanterna", reference="K7Q-4MZP"
    )
    assert words["hello"].format(name="Zoë Ángel") in changed.text
    assert long_date(date(2027, 3, 14), language) in changed.text  # the old arrival
    assert long_date(date(2027, 3, 15), language) in changed.text  # the new one
    assert money(46000, "EUR", language) in changed.text  # the new total
    assert words["settled_link"].format(amount=money(4500, "EUR", language), link=LINK) in (
        changed.text
    )
    assert link.subject == words["link_subject"].format(
        property="Casa Lanterna", date=long_date(date(2027, 3, 15), language)
    )
    assert money(13800, "EUR", language) in link.text and LINK in link.text
    assert "2027-01-16 09:30" in link.text
    for message, in_english in zip(written, english, strict=True):
        assert message.recipient == "zoe@example.com"
        if language != "en":
            assert message.subject != in_english.subject, (language, message.kind)
            assert message.text != in_english.text


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_owners_balance_due_email_is_in_the_propertys_language(language: str) -> None:
    booking = msgspec.structs.replace(booking_in("en"), locale=f"{language}_XX")
    (message,) = balance_due_owner(booking, 32200, "card_declined")
    words = phrases(language)
    assert message.kind == "owner_balance_due" and message.recipient == "owner@example.com"
    assert message.subject == words["owner_due_subject"].format(
        reference="K7Q-4MZP", name="Zoë Ángel"
    )
    assert (
        words["owner_due_body"].format(
            amount=money(32200, "EUR", language), reference="K7Q-4MZP", reason="card_declined"
        )
        in message.text
    )
    assert words["owner_due_next"] in message.text
    if language != "en":
        in_english = msgspec.structs.replace(booking, locale="en_GB")
        (english,) = balance_due_owner(in_english, 32200, "card_declined")
        assert english.text != message.text
