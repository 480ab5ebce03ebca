"""The guest's manage-booking page, reached by the unguessable link in their e-mail: it shows
the booking and cancels it under the property's policy. Its form is protected by Litestar's
CSRF middleware (a double-submit cookie signed with ``INNKEEP_SECRET_KEY``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from widget.embedding import new_nonce
from widget.errors import Conflict, Invalid
from widget.form_csrf import form_csrf
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.mail.charges import charge_lines
from widget.mail.compose import language_of, long_date, money, policy_sentence
from widget.mail.phrases import phrases
from widget.mail.schedule import schedule_lines
from widget.payments.cancellation import booking_for_guest, cancel_booking, terms
from widget.payments.pay_links import CARD_LINK_DAYS, open_link
from widget.payments.room_cancellation import cancel_room
from widget.rows import Booking, extras_label, plan_label
from widget.state import DbDep, ServicesDep

Reference = Annotated[str, PathParameter(description="The booking reference.")]


#: Litestar's CSRF middleware for these pages only (the JSON API uses header tokens).
ManageCSRF = form_csrf("/manage")


def manage_csp(nonce: str) -> str:
    """The manage page's policy: its own nonce'd style, its form posting to itself, nothing
    else loaded, never framed (the page carries the booking's key)."""
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )


def card_changeable(booking: Booking) -> bool:
    """The guest may replace the card the booking keeps: a guarantee for a stay paid at the
    property, or the card a balance still to be charged will be taken from."""
    if booking.status != "confirmed" or not (booking.customer_ref and booking.payment_method_ref):
        return False
    guarantee = booking.payment_terms is not None and booking.payment_terms.card_guarantee
    return guarantee or (booking.balance is not None and booking.balance.status == "scheduled")


def _page(booking: Booking, key: str, message: str | None = None) -> Template:
    nonce = new_nonce()
    language = language_of(booking.guest.language if booking.guest else None)
    words = phrases(language)
    deal = terms(booking)
    currency = booking.currency
    refund_now = money(deal.refund, currency, language)
    # The amount is set in bold inside the sentence, wherever the language puts it.
    before_amount, _, after_amount = words["cancel_now_refunds"].partition("{amount}")
    return Template(
        template_name="manage/booking.html",
        context={
            "t": words,
            "booking": booking,
            "key": key,
            "lang": language,
            "status": words.get(f"status_{booking.status}", booking.status),
            "arrival": long_date(booking.check_in, language),
            "departure": long_date(booking.check_out, language),
            "paid": money(deal.paid, currency, language),
            "refund_now": (before_amount, refund_now, after_amount),
            "refund_made": money(booking.refund_amount, currency, language)
            if booking.refund_amount is not None
            else None,
            "policy": policy_sentence(words, deal.free_until, deal.refund_percent, language),
            "rate": plan_label(booking.rate_plans, booking.quote.rate_plan, language),
            "extras": extras_label(booking.extras, booking.quote.extras, language),
            # A room cancelled alone charges nothing more (its guests are not coming).
            "charges": charge_lines(
                [r.quote for r in booking.group_rooms or [] if not r.cancelled_alone]
                or [booking.quote],
                words,
                language,
            ),
            "kept": money(booking.money.kept, currency, language) if booking.money.kept else None,
            "can_cancel": deal.possible and booking.status == "confirmed",
            "schedule": schedule_lines(
                words,
                language,
                currency,
                booking.quote,
                booking.payment_terms,
                booking.balance,
                booking.money,
            ),
            "can_change_card": card_changeable(booking),
            "message": message,
            "nonce": nonce,
        },
        headers={
            "Content-Security-Policy": manage_csp(nonce),
            # The page's URL carries the secret: never send it on to another site. Not
            # `no-referrer`: under it a browser posts the cancel form with `Origin: null`,
            # which the origin check must refuse (a sandboxed frame of any site sends it).
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
        },
    )


class ManageBookingController(Controller):
    path = "/manage"
    include_in_schema = False
    middleware = (ManageCSRF,)
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/{reference:str}", operation_id="manageBooking", cache=False)
    async def show(
        self,
        db: DbDep,
        reference: Reference,
        key: Annotated[str | None, QueryParameter(required=False)] = None,
    ) -> Template:
        """The booking and, while the policy allows, a button to cancel it."""
        return _page(await booking_for_guest(db, reference, key), key or "")

    @post("/{reference:str}/cancel", operation_id="cancelBooking", status_code=200)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        reference: Reference,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        """Cancel the booking and refund what the policy gives back."""
        key = data.get("key", "")
        booking = await booking_for_guest(db, reference, key)
        after = await cancel_booking(db, services.payments, booking)
        return _page(after, key, message="cancelled")

    @post("/{reference:str}/cancel-room", operation_id="cancelBookingRoom", status_code=200)
    async def cancel_one_room(
        self,
        db: DbDep,
        services: ServicesDep,
        reference: Reference,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Cancel one room of a booking of several (not its first), refunding what that
        room's plan's policy gives back of its share."""
        key = data.get("key", "")
        booking = await booking_for_guest(db, reference, key)
        room = data.get("room", "")
        if not room.isdigit():
            raise Invalid("room: say which room to cancel (0 is the first).", field="room")
        after = await cancel_room(db, services.payments, booking, int(room))
        return _page(after, key, message="room_cancelled")

    @post("/{reference:str}/card", operation_id="changeBookingCard", status_code=303)
    async def change_card(
        self,
        db: DbDep,
        services: ServicesDep,
        reference: Reference,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """A fresh, short-lived link to the payment page that saves another card."""
        booking = await booking_for_guest(db, reference, data.get("key", ""))
        if not card_changeable(booking):
            raise Conflict("This booking keeps no card to replace.", code="no_card_kept")
        link = await open_link(
            db,
            site_url(services.settings),
            reservation_id=booking.id,
            purpose="update_card",
            days=CARD_LINK_DAYS,
        )
        return Redirect(path=link, status_code=303)
