"""The guest's e-mails about a balance charged after booking, in their language: the
reminder a week before (with a link to use another card), the receipt once charged, the
bank's request to confirm it, and the failure (with a link to pay with another card)."""

from __future__ import annotations

from datetime import date
from html import escape

from widget.mail.compose import Message, language_of, long_date, money
from widget.mail.phrases import phrases
from widget.rows import BookingMail


def _guest_mail(
    booking: BookingMail, kind: str, amount: int, link: str | None, due_on: date | None = None
) -> list[Message]:
    """The guest's ``guest_balance_{kind}`` e-mail: its subject, greeting, body and link."""
    language = language_of(booking.guest.language)
    words = phrases(language)
    fill = {
        "property": booking.property_name,
        "reference": booking.reference,
        "amount": money(amount, booking.currency, language),
        "date": long_date(due_on, language) if due_on else "",
    }
    lines = [words["hello"].format(name=booking.guest.name), words[f"{kind}_body"].format(**fill)]
    html = [escape(line) for line in lines]
    if link:
        lines.append(words[f"{kind}_link"].format(link=link))
        before = escape(words[f"{kind}_link"].partition("{link}")[0])
        html.append(f'{before}<a href="{escape(link)}">{escape(link)}</a>')
    lines.append(booking.property_name)
    html.append(escape(booking.property_name))
    return [
        Message(
            f"guest_balance_{kind}",
            booking.guest.email,
            words[f"{kind}_subject"].format(**fill),
            "\n\n".join(lines) + "\n",
            "".join(f"<p>{line}</p>" for line in html),
        )
    ]


def balance_needs_guest(booking: BookingMail, amount: int, link: str) -> list[Message]:
    """The guest's bank wants them to confirm the balance: the link confirms that very
    payment (nothing is charged twice)."""
    return _guest_mail(booking, "action", amount, link)


def balance_failed_guest(booking: BookingMail, amount: int, link: str) -> list[Message]:
    """The balance could not be charged to the saved card: the booking stands, and the link
    pays the same balance with another card."""
    return _guest_mail(booking, "failed", amount, link)


def balance_reminder(booking: BookingMail, amount: int, due_on: date, link: str) -> list[Message]:
    """A week before the balance date: what will be charged, when, and the private link to
    use another card."""
    return _guest_mail(booking, "reminder", amount, link, due_on)


def balance_charged(booking: BookingMail, amount: int) -> list[Message]:
    """The guest's receipt for a balance taken (by the job, or on their link)."""
    return _guest_mail(booking, "charged", amount, None)
