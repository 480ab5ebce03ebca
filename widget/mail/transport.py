"""How an e-mail leaves: SMTP (``INNKEEP_SMTP_URL``), or a folder of ``.eml`` files when no
SMTP server is configured (the demo prints where)."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from widget.mail.compose import Message
from widget.settings import Settings

SMTP_TIMEOUT_SECONDS = 20


class Transport(Protocol):
    async def send(self, message: Message, sender: str) -> None:
        """Deliver ``message`` or raise."""
        ...


def as_email(message: Message, sender: str) -> EmailMessage:
    """A multipart (text and HTML) e-mail."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
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
