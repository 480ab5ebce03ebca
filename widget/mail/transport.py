"""How an e-mail leaves: SMTP (``INNKEEP_SMTP_URL``), or a folder of ``.eml`` files when no
SMTP server is configured (the demo prints where)."""

from __future__ import annotations

import asyncio
import re
import time
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from widget.email_address import header_address, mailbox
from widget.guest_text import BIDI_CONTROLS, LINE_SEPARATORS
from widget.mail.compose import Message
from widget.settings import Settings

SMTP_TIMEOUT_SECONDS = 20


class Transport(Protocol):
    async def send(self, message: Message, sender: str) -> None:
        """Deliver ``message`` or raise."""
        ...


def header_line(text: str) -> str:
    """``text`` fit for a header such as Subject: each run of control characters, line
    breaks and text-direction controls becomes one space, so that no value can end a header
    or start a forged one. The e-mail package then encodes and folds it."""
    return _UNSAFE_RUN.sub(" ", text).strip()


_UNSAFE_RUN = re.compile(
    r"\s*[" + "".join(sorted(BIDI_CONTROLS | LINE_SEPARATORS)) + r"\x00-\x1f\x7f-\x9f]+\s*"
)


def encoded_subject(text: str) -> str:
    """``text`` as one line, encoded (RFC 2047) and folded by the e-mail package's `Header`.

    Not the policy's own folding: in the Pythons we run on it drops the space between two
    encoded words where it folds a line (CPython gh-144156), and it would decode a guest's
    literal ``=?utf-8?q?…?=`` as if it were encoded. Both would change what the guest typed."""
    line = header_line(text)
    charset = "us-ascii" if line.isascii() and "=?" not in line else "utf-8"
    return Header(line, charset, header_name="Subject").encode()


def as_email(message: Message, sender: str) -> EmailMessage:
    """A multipart (text and HTML) e-mail whose headers are built by the e-mail package
    from parsed addresses and one-line text, never by pasting strings together.

    Raises `InvalidEmail` for a recipient that can never be written into a header."""
    mail = EmailMessage(policy=SMTP)
    sent_by = mailbox(sender)
    mail["From"] = sent_by
    # Rows written before addresses were checked may end in a line break.
    mail["To"] = header_address(message.recipient.strip())
    mail.set_raw("Subject", encoded_subject(message.subject))
    mail["Message-ID"] = make_msgid(domain=sent_by.domain or None)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


class SmtpTransport:
    """``smtp://user:password@host:port`` (STARTTLS when offered) or ``smtps://`` (TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, message: Message, sender: str) -> None:
        await aiosmtplib.send(
            as_email(message, sender),
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls,
            start_tls=None if not self.tls else False,
            timeout=SMTP_TIMEOUT_SECONDS,
        )


class FolderTransport:
    """Writes each message as an ``.eml`` file, for the demo and for development."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: Message, sender: str) -> None:
        await asyncio.to_thread(self._write, message, sender)

    def _write(self, message: Message, sender: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns()}-{message.kind}.eml"
        (self.folder / name).write_bytes(bytes(as_email(message, sender)))


def transport_for(settings: Settings) -> Transport:
    """SMTP when configured, else the outbox folder under the data folder."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return FolderTransport(settings.data_dir / "outbox")
