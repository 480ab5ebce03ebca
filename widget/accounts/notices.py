"""The console's own e-mails (a password reset link, a warning that someone is guessing a
password), written to the same outbox as the guests' and sent by the same job."""

from __future__ import annotations

import html

from widget.db import Conn
from widget.mail.compose import Message
from widget.sql import queries


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    return f"<!doctype html><html><body>{paragraphs}</body></html>"


async def send(conn: Conn, kind: str, recipient: str, subject: str, text: str) -> None:
    """Write one console e-mail to the outbox in ``conn``'s current transaction."""
    message = Message(kind, recipient, subject, text, _html(text))
    await conn.execute(
        queries("console")["enqueue_console_message"],
        {
            "kind": message.kind,
            "recipient": message.recipient,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
        },
    )


async def guessing_notice(conn: Conn, email: str, address: str) -> None:
    """Tell the account's holder that its password is being guessed (its properties' owners
    are told by `owners_guessing_notice`)."""
    await send(
        conn,
        "console_guessing",
        email,
        "Someone is trying to sign in to your Innkeep account",
        "Several wrong passwords were just tried for your Innkeep console account "
        f"({email}), most recently from the address {address}. Sign-ins to it are paused "
        "for a while.\n\nIf this was you, wait and try again, or reset your password from "
        "the sign-in page. If it was not, nothing is needed: the account stays locked to "
        "guessing; consider turning on two-factor login.",
    )


async def owners_guessing_notice(
    conn: Conn, owner: str, email: str, properties: str, address: str
) -> None:
    """Tell an owner that the password of someone on their property is being guessed."""
    await send(
        conn,
        "console_guessing",
        owner,
        f"Someone is trying to sign in as {email} on Innkeep",
        f"Several wrong passwords were just tried for {email}, who works on {properties} "
        f"in the Innkeep console, most recently from the address {address}. Sign-ins to "
        "that account are paused for a while, and its holder was told too.\n\nIf they "
        "did not do it, nothing is needed: the account stays locked to guessing. You may "
        "ask everyone on the property to use two-factor login (the People page).",
    )


async def reset_link(conn: Conn, email: str, link: str, minutes: int) -> None:
    """Send the single-use password reset ``link`` to ``email``."""
    await send(
        conn,
        "console_password_reset",
        email,
        "Reset your Innkeep password",
        f"Someone (we hope you) asked to reset the password of {email} on Innkeep.\n\n"
        f"Choose a new password here, within {minutes} minutes; the link works once:\n"
        f"{link}\n\nIf you did not ask, ignore this e-mail: your password stays as it is.",
    )
