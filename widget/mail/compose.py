"""Writing the e-mails of a booking: the guest's in their language, the owner's notice.

Money and dates are formatted with babel in the reader's language; the words come from
`widget.mail.phrases`, the layout from ``templates/email/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from html import escape
from typing import Any

from babel.dates import format_time
from jinja2 import Environment, FileSystemLoader, select_autoescape

from widget.i18n import LANGUAGES
from widget.mail.charges import charge_lines
from widget.mail.formats import long_date as long_date
from widget.mail.formats import money as money
from widget.mail.phrases import phrases
from widget.mail.schedule import schedule_lines
from widget.paths import TEMPLATES_DIR
from widget.rows import BookingMail, GroupRoom, extras_label, plan_label


@dataclass(frozen=True)
class Message:
    """One e-mail, ready for the outbox."""

    kind: str
    recipient: str
    subject: str
    text: str
    html: str


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR / "email"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language_of(value: str | None) -> str:
    """A guest's chosen language, if it is one we write in; English otherwise."""
    return value if value in LANGUAGES else "en"


def policy_sentence(
    words: dict[str, str], free_until: date | None, percent: int, language: str
) -> str:
    """The cancellation policy in one sentence: free until a day, or never (a
    non-refundable rate), then ``percent`` of what was paid."""
    if free_until is None:
        return words["policy_none"].format(percent=percent)
    return words["policy_free"].format(date=long_date(free_until, language), percent=percent)


def _rooms_line(booking: BookingMail, language: str) -> str:
    """A group's rooms on one line, each with its rate plan: "Double (Flexible) + Suite"."""
    named = []
    for room in _staying(booking):
        plan = plan_label(booking.rate_plans, room.quote.rate_plan, language)
        named.append(f"{room.room_type_name} ({plan})" if plan else room.room_type_name)
    return " + ".join(named)


def _staying(booking: BookingMail) -> list[GroupRoom]:
    """A group's rooms but those cancelled alone (whose guests are not coming)."""
    return [room for room in booking.group_rooms or [] if not room.cancelled_alone]


def _context(booking: BookingMail, language: str, test_payment: bool) -> dict[str, Any]:
    quote, currency, check_in = booking.quote, booking.currency, booking.check_in
    policy = booking.cancellation_policy
    words = phrases(language)
    # A group's rooms still booked together: one payment, one total (`rows.rooms_money`).
    rooms = _staying(booking)
    together = booking.money
    total = together.total
    # A desk booking paid nothing online; otherwise what is paid online in all (a deposit
    # and its balance included) is not due at the property.
    at_property = total if booking.payment_status == "at_property" else together.at_property

    def when(day: date) -> str:
        return long_date(day, language)

    def clock(value: time) -> str:
        return str(format_time(value, format="short", locale=language))

    return {
        "t": words,
        "name": booking.guest.name,
        "property": booking.property_name,
        "reference": booking.reference,
        "room": _rooms_line(booking, language) if rooms else booking.room_type_name,
        "arrival": when(check_in),
        "arrival_time": words["from_time"].format(time=clock(booking.check_in_time)),
        "departure": when(booking.check_out),
        "departure_time": words["until_time"].format(time=clock(booking.check_out_time)),
        "guests": sum(r.guests for r in rooms)
        if rooms
        else (booking.adults or 0) + len(booking.children),
        "paid": money(booking.paid_online, currency, language),
        "at_property": money(at_property, currency, language) if at_property else None,
        "total": money(total, currency, language),
        "kept": money(together.kept, currency, language) if together.kept else None,
        "policy": policy_sentence(
            words,
            check_in - timedelta(days=policy.free_until_days) if policy.free_cancellation else None,
            policy.refund_percent,
            language,
        ),
        # A group names each room's plan with the room.
        "rate": None if rooms else plan_label(booking.rate_plans, quote.rate_plan, language),
        "extras": extras_label(booking.extras, quote.extras, language),
        "charges": charge_lines([r.quote for r in rooms] or [quote], words, language),
        "schedule": schedule_lines(
            words, language, currency, quote, booking.payment_terms, money=booking.money
        ),
        "test_payment": test_payment,
        "guest": booking.guest,
    }


def booking_confirmed(booking: BookingMail, manage_url: str, test_payment: bool) -> list[Message]:
    """The guest's confirmation (in their language) and the owner's notification."""
    language = language_of(booking.guest.language)
    ctx = {**_context(booking, language, test_payment), "manage_url": manage_url}
    env = _templates()
    subject = ctx["t"]["confirmed_subject"].format(
        property=booking.property_name, reference=booking.reference
    )
    owner_language = language_of(booking.locale.split("_")[0])
    owner_ctx = _context(booking, owner_language, test_payment)
    # The owner's copy: the schedule, but not the guest's "your card is kept" sentence.
    owner_ctx["schedule"] = schedule_lines(
        owner_ctx["t"],
        owner_language,
        booking.currency,
        booking.quote,
        None,
        money=booking.money,
    )
    return [
        Message(
            "guest_confirmation",
            booking.guest.email,
            subject,
            env.get_template("guest_confirmed.txt").render(ctx),
            env.get_template("guest_confirmed.html").render(ctx),
        ),
        Message(
            "owner_notification",
            booking.contact_email,
            f"New booking {booking.reference}: {ctx['name']}, {booking.room_type_name}, "
            f"{booking.check_in.isoformat()} to {booking.check_out.isoformat()}",
            env.get_template("owner_booking.txt").render(owner_ctx),
            env.get_template("owner_booking.html").render(owner_ctx),
        ),
    ]


def booking_cancelled(booking: BookingMail, refund: int, test_payment: bool) -> list[Message]:
    """The guest's cancellation notice, saying what was refunded, and the owner's copy."""
    return _cancelled(booking, test_payment, refund=refund)


def booking_cancelled_unpaid(booking: BookingMail, test_payment: bool) -> list[Message]:
    """The guest's and the owner's notice that a booking was cancelled because its payment
    could not be taken (the card's authorisation lapsed before capture): nothing was charged."""
    return _cancelled(booking, test_payment, refund=None)


def _cancelled(booking: BookingMail, test_payment: bool, refund: int | None) -> list[Message]:
    language = language_of(booking.guest.language)
    ctx = _context(booking, language, test_payment)
    words = ctx["t"]
    intro = words["cancelled_intro"] if refund is not None else words["unpaid_intro"]
    ctx = {
        **ctx,
        "intro": intro.format(property=booking.property_name),
        "refund": None if refund is None else money(refund, booking.currency, language),
    }
    env = _templates()
    subject = words["cancelled_subject"].format(
        property=booking.property_name, reference=booking.reference
    )
    text = env.get_template("guest_cancelled.txt").render(ctx)
    html = env.get_template("guest_cancelled.html").render(ctx)
    why = "" if refund is not None else ", payment not taken"
    return [
        Message("guest_cancellation", booking.guest.email, subject, text, html),
        Message(
            "owner_cancellation",
            booking.contact_email,
            f"Cancelled{why}: booking {booking.reference} ({ctx['name']})",
            text,
            html,
        ),
    ]


def room_cancelled(
    booking: BookingMail, position: int, refund: int, test_payment: bool
) -> list[Message]:
    """The guest's notice that room ``position`` of their booking was cancelled alone (the
    rest stands), naming the room and what its cancellation refunds; and the owner's copy."""
    language = language_of(booking.guest.language)
    ctx = _context(booking, language, test_payment)
    words = ctx["t"]
    room = (booking.group_rooms or [])[position]
    plan = plan_label(booking.rate_plans, room.quote.rate_plan, language)
    ctx = {
        **ctx,
        "intro": words["room_cancelled_intro"].format(property=booking.property_name),
        "room": f"{room.room_type_name} ({plan})" if plan else room.room_type_name,
        "rate": None,
        "refund": money(refund, booking.currency, language),
    }
    env = _templates()
    subject = words["room_cancelled_subject"].format(
        property=booking.property_name, reference=booking.reference
    )
    text = env.get_template("guest_cancelled.txt").render(ctx)
    html = env.get_template("guest_cancelled.html").render(ctx)
    return [
        Message("guest_room_cancellation", booking.guest.email, subject, text, html),
        Message(
            "owner_room_cancellation",
            booking.contact_email,
            f"Room cancelled: {room.room_type_name} of booking {booking.reference} "
            f"({ctx['name']}), refund {money(refund, booking.currency, 'en')}",
            text,
            html,
        ),
    ]


def plain_message(kind: str, recipient: str, subject: str, lines: list[str]) -> Message:
    """A short plain e-mail (its HTML the same lines, escaped)."""
    text = "\n\n".join(lines) + "\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return Message(kind, recipient, subject, text, html)


def balance_due_owner(booking: BookingMail, amount: int, reason: str) -> list[Message]:
    """The owner's notice (in the property's language) that a balance could not be charged:
    the booking is marked "balance due" and the guest is to pay otherwise."""
    language = language_of(booking.locale.split("_")[0])
    words = phrases(language)
    fill = {
        "reference": booking.reference,
        "name": booking.guest.name,
        "amount": money(amount, booking.currency, language),
        "reason": reason,
    }
    return [
        plain_message(
            "owner_balance_due",
            booking.contact_email,
            words["owner_due_subject"].format(**fill),
            [words["owner_due_body"].format(**fill), words["owner_due_next"]],
        )
    ]


#: How a date change's difference is settled, as the guest's e-mail says it.
_SETTLED = ("refund", "saved_card", "link", "at_property")


def dates_changed(
    booking: BookingMail,
    old_in: date,
    old_out: date,
    settlement: str,
    amount: int,
    link: str | None,
    *,
    total: int | None = None,
) -> list[Message]:
    """The guest's notice that the guesthouse changed their booking's dates: the new stay,
    its ``total`` (every room's still booked; the booking's quote's by default), and what
    happens to the difference (refunded, charged, a link to pay it)."""
    language = language_of(booking.guest.language)
    words = phrases(language)
    new_total = booking.quote.total if total is None else total
    fill = {
        "property": booking.property_name,
        "reference": booking.reference,
        "old_in": long_date(old_in, language),
        "old_out": long_date(old_out, language),
        "new_in": long_date(booking.check_in, language),
        "new_out": long_date(booking.check_out, language),
        "total": money(new_total, booking.currency, language),
        "amount": money(amount, booking.currency, language),
        "link": link,
    }
    lines = [
        words["hello"].format(name=booking.guest.name),
        words["dates_body"].format(**fill),
        words["dates_total"].format(**fill),
    ]
    if settlement in _SETTLED:
        lines.append(words[f"settled_{settlement}"].format(**fill))
    return [
        plain_message(
            "guest_dates_changed",
            booking.guest.email,
            words["dates_subject"].format(**fill),
            lines,
        )
    ]


def payment_link(
    guest: tuple[str, str, str | None],
    property_name: str,
    due_now: int,
    currency: str,
    stay: tuple[date, date],
    until: datetime,
    link: str,
) -> Message:
    """The guest's link to pay for a stay the front desk is holding for them; ``guest`` is
    their name, e-mail address and language."""
    name, email, language = guest[0], guest[1], language_of(guest[2])
    check_in, check_out = stay
    words = phrases(language)
    fill = {
        "property": property_name,
        "date": long_date(check_in, language),
        "check_in": long_date(check_in, language),
        "check_out": long_date(check_out, language),
        "until": f"{until:%Y-%m-%d %H:%M}",
        "amount": money(due_now, currency, language),
        "link": link,
    }
    return plain_message(
        "guest_payment_link",
        email,
        words["link_subject"].format(**fill),
        [
            words["hello"].format(name=name),
            words["link_body"].format(**fill),
            words["link_pay"].format(**fill),
        ],
    )


def payment_refunded_owner(
    recipient: str, amount: int, currency: str, stay: tuple[date, date], guest: str, why: str
) -> Message:
    """The owner's notice that a captured payment was refunded because no booking could be
    kept for it; ``guest`` names the guest when known, so the owner can reach them."""
    nights = f"{stay[0].isoformat()} to {stay[1].isoformat()}"
    return plain_message(
        "owner_payment_refunded",
        recipient,
        f"Payment refunded, no booking: stay {nights}",
        [
            f"A payment of {money(amount, currency, 'en')} for the stay {nights}"
            f"{f' (guest: {guest})' if guest else ''} was taken, but no booking could be kept "
            f"for it: {why}.",
            "It has been refunded in full to the card it came from.",
        ],
    )
