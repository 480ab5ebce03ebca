"""Guest and owner e-mails: written with the booking, sent by the outbox sender to a real
SMTP server the test starts, retried when that server is away, or written to a folder."""

from __future__ import annotations

import email
import re
from collections.abc import AsyncIterator, Iterator
from email.message import Message as EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from psycopg.rows import dict_row

from tests.conftest import free_port
from tests.payments.conftest import GUEST, HeldRoom
from tests.payments.test_guest_input import ODD_NAME
from widget.mail.compose import booking_cancelled, booking_cancelled_unpaid
from widget.mail.outbox import booking_for_mail, enqueue, send_due
from widget.mail.transport import FolderTransport, SmtpTransport

SENDER = "Casa Lanterna <bookings@casalanterna.example>"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.content)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def text_of(self, index: int) -> str:
        part = self.messages[index].get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
async def aconn(database_url: str) -> AsyncIterator[Any]:
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row
    ) as conn:
        yield conn


async def book(api: Any, held: HeldRoom, guest: dict[str, Any] | None = None) -> str:
    body = {**GUEST, "guest": {**GUEST["guest"], **(guest or {})}}  # type: ignore[dict-item]
    answer = await api.post(f"/api/v1/holds/{held.id}/checkout", json=body, headers=held.headers)
    assert answer.status_code == 200, answer.text
    confirmed = await api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert confirmed.status_code == 200, confirmed.text
    return str(confirmed.json()["reference"])


async def test_the_guest_gets_a_confirmation_in_german_and_the_owner_a_notice(
    demo_api: Any, held: HeldRoom, smtp: tuple[Inbox, int], aconn: Any
) -> None:
    inbox, port = smtp
    reference = await book(demo_api, held)
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 2
    guest, owner = inbox.messages
    assert guest["To"] == "anna@example.com" and owner["To"] == "hello@casalanterna.example"
    assert guest["Subject"] == f"Ihre Buchung im Casa Lanterna ist bestätigt ({reference})"
    text = inbox.text_of(0)
    assert "Guten Tag Anna Schmidt" in text
    assert "Dienstag, 1. Juni 2027, ab 15:00" in text  # babel, in German
    assert "Jetzt bezahlt: 420,00\xa0€" in text
    assert "Vor Ort zu zahlen: 12,00\xa0€" in text  # the city tax is shown, not charged
    assert "Kostenlose Stornierung bis Dienstag, 25. Mai 2027" in text
    assert f"/manage/{reference}?key=" in text
    assert "Testzahlung" in text  # the demo says plainly that no money was taken
    assert reference in owner["Subject"] and "späten Fähre" in inbox.text_of(1)
    # Sent once: a second round sends nothing, and the stored text (with the link) is gone.
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 0
    cur = await aconn.execute("SELECT body_text FROM outbox_message WHERE sent_at IS NOT NULL")
    assert [r["body_text"] for r in await cur.fetchall()] == ["", ""]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Your booking at Casa Lanterna is confirmed"),
        ("fr", "Votre réservation à Casa Lanterna est confirmée"),
        ("es", "Su reserva en Casa Lanterna está confirmada"),
        ("it", "La sua prenotazione presso Casa Lanterna è confermata"),
    ],
)
async def test_each_language_gets_its_own_words(
    demo_api: Any,
    held: HeldRoom,
    smtp: tuple[Inbox, int],
    aconn: Any,
    language: str,
    subject: str,
) -> None:
    inbox, port = smtp
    await book(demo_api, held, {"language": language})
    await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER)
    assert inbox.messages[0]["Subject"].startswith(subject)


async def test_an_unreachable_server_is_retried_later(
    demo_api: Any, held: HeldRoom, smtp: tuple[Inbox, int], aconn: Any, database_url: str
) -> None:
    inbox, port = smtp
    await book(demo_api, held)
    down = SmtpTransport(f"smtp://127.0.0.1:{free_port()}")
    assert await send_due(aconn, down, SENDER) == 0
    cur = await aconn.execute("SELECT attempts, last_error FROM outbox_message ORDER BY id")
    rows = await cur.fetchall()
    assert [r["attempts"] for r in rows] == [1, 1] and rows[0]["last_error"]
    # Not due again at once ...
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 0
    # ... but after the back-off, by the database's clock.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO clock_offset (shift) VALUES ('1 minute')")
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 2
    assert len(inbox.messages) == 2


async def test_without_smtp_messages_go_to_the_outbox_folder(
    demo_api: Any, held: HeldRoom, aconn: Any, tmp_path: Path
) -> None:
    reference = await book(demo_api, held)
    folder = tmp_path / "outbox"
    assert await send_due(aconn, FolderTransport(folder), SENDER) == 2
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    guest = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert reference in guest["Subject"]


def test_every_language_has_every_phrase_with_the_same_placeholders() -> None:
    from string import Formatter

    from widget.i18n import LANGUAGES
    from widget.mail.phrases import PHRASES

    def shape(language: str) -> dict[str, set[str]]:
        return {
            key: {name for _, name, _, _ in Formatter().parse(text) if name}
            for key, text in PHRASES[language].items()
        }

    english = shape("en")
    for language in LANGUAGES:
        assert shape(language) == english, language


def assert_well_formed(raw: bytes, message: EmailMessage) -> None:
    """RFC 5322 as a server without SMTPUTF8 takes it: ASCII, lines of at most 998
    characters, each header once, and the addresses and the Message-ID parse cleanly."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    assert head.isascii(), head
    assert all(len(line) <= 998 for line in raw.splitlines())
    names = [name.lower() for name in message]
    assert sorted(names) == sorted(
        ["from", "to", "subject", "message-id", "content-type", "mime-version"]
    ), names
    for name in ("From", "To", "Subject", "Message-ID"):
        assert not message[name].defects, (name, message[name].defects)
    assert len(message["From"].addresses) == 1 and len(message["To"].addresses) == 1
    assert re.fullmatch(r"<[^<>@\s]+@casalanterna\.example>", message["Message-ID"])


async def test_every_kind_of_message_has_well_formed_headers_for_an_odd_name(
    demo_api: Any, held: HeldRoom, smtp: tuple[Inbox, int], aconn: Any
) -> None:
    inbox, port = smtp
    reference = await book(demo_api, held, {"name": ODD_NAME})
    booking = await booking_for_mail(aconn, held.id)
    async with aconn.transaction():
        await enqueue(aconn, held.id, booking_cancelled(booking, 42000, True))
        await enqueue(aconn, held.id, booking_cancelled_unpaid(booking, True))
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 6
    for raw, message in zip(inbox.raw, inbox.messages, strict=True):
        assert_well_formed(raw, message)
        assert reference in message["Subject"]
    subjects = [m["Subject"] for m in inbox.messages]
    assert subjects[1].startswith(f"New booking {reference}: {ODD_NAME}, ")
    assert subjects[3] == f"Cancelled: booking {reference} ({ODD_NAME})"
    assert subjects[5] == f"Cancelled, payment not taken: booking {reference} ({ODD_NAME})"
    assert f"Guten Tag {ODD_NAME}," in inbox.text_of(0)
    assert {str(m["From"]) for m in inbox.messages} == {SENDER}
    assert inbox.envelopes[0] == ("bookings@casalanterna.example", ["anna@example.com"])


async def test_a_message_stored_with_a_line_break_in_a_header_is_still_sent_safely(
    smtp: tuple[Inbox, int], aconn: Any, demo_property: Any
) -> None:
    """Rows written before names and addresses were checked: one line each, nothing forged."""
    inbox, port = smtp
    await aconn.execute(
        """INSERT INTO outbox_message (kind, recipient, subject, body_text, body_html)
           VALUES ('owner_notification', %s, %s, 'text', '<p>html</p>')""",
        (
            "hello@casalanterna.example\n",
            "New booking ABC: Anna\r\nBcc: someone@evil.example\u202e, Room 1",
        ),
    )
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 1
    (message,) = inbox.messages
    assert_well_formed(inbox.raw[0], message)
    assert message["Subject"] == "New booking ABC: Anna Bcc: someone@evil.example , Room 1"
    assert message["To"] == "hello@casalanterna.example"
    assert inbox.envelopes[0][1] == ["hello@casalanterna.example"]


async def test_a_message_whose_address_can_never_be_written_is_given_up_at_once(
    smtp: tuple[Inbox, int], aconn: Any, demo_property: Any
) -> None:
    inbox, port = smtp
    await aconn.execute(
        """INSERT INTO outbox_message (kind, recipient, subject, body_text, body_html)
           VALUES ('guest_confirmation', 'anna at example', 'Booked', 'text', 'html')"""
    )
    assert await send_due(aconn, SmtpTransport(f"smtp://127.0.0.1:{port}"), SENDER) == 0
    cur = await aconn.execute("SELECT attempts, failed_at, last_error FROM outbox_message")
    row = await cur.fetchone()
    assert row["attempts"] == 1 and row["failed_at"] is not None and row["last_error"]
    assert inbox.messages == []
