"""New booking (``/admin/{slug}/bookings/new``) for the phone, a walk-in or an e-mail:
dates and room, the quote, a hold (the widget's own `Holds`, so nothing goes around the
gate, the quotas or the constraint), then the guest, and the booking, paid at the
property or by the guest through a payment link (`widget.payments.desk_bookings`). Staff
may override a stay restriction (minimum stay, closed to arrival, …) with a reason, which
is recorded; nothing overrides the exclusion constraint."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from engine import MIN_ADULTS, Party
from widget.accounts.sessions import Member
from widget.clients import client_address, counted_address
from widget.console.access import MemberDep, requires
from widget.console.history import record
from widget.console.pages import formats, page
from widget.console.refusal_text import refusal_text
from widget.errors import InnkeepError, Invalid, Said
from widget.i18n import LANGUAGES
from widget.intake import ACCEPTS, FORM
from widget.inventory.catalogue import party
from widget.inventory.holds import StayWish
from widget.inventory.quotas import Client
from widget.inventory.quoting import quote
from widget.limits import MAX_ADULTS, MAX_CHILDREN
from widget.links import site_url
from widget.payments.checkout import GuestIn
from widget.payments.desk_bookings import book_at_property, desk_hold, send_payment_link
from widget.sql import queries
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Text = Annotated[str | None, QueryParameter(required=False, max_length=40)]
FIELDS = ("room_type", "check_in", "check_out", "adults", "children")
#: The engine's refusals a member of staff may override (with a reason).
RESTRICTIONS = frozenset({"min_stay", "max_stay", "closed_to_arrival", "closed_to_departure"})


class Stay(msgspec.Struct, frozen=True):
    room_type: str
    check_in: date
    check_out: date
    party: Party


def _stay(values: dict[str, str]) -> Stay:
    """The stay the form describes, or `Invalid` naming the field."""
    try:
        check_in = date.fromisoformat(values.get("check_in", ""))
        check_out = date.fromisoformat(values.get("check_out", ""))
    except ValueError:
        raise Invalid(
            "give arrival and departure as dates", field="check_in", said=Said("dates_needed")
        ) from None
    try:
        adults = int(values.get("adults") or 2)
        ages = [int(a) for a in values.get("children", "").replace(" ", "").split(",") if a]
    except ValueError:
        raise Invalid(
            "adults is a number; children are ages like 5,9",
            field="adults",
            said=Said("party_numbers"),
        ) from None
    if not MIN_ADULTS <= adults <= MAX_ADULTS or len(ages) > MAX_CHILDREN:
        raise Invalid(
            "that party is not one a room can take", field="adults", said=Said("party_too_big")
        )
    return Stay(values.get("room_type", ""), check_in, check_out, party(adults, ages))


def _waiver(values: dict[str, str]) -> bool:
    """Whether the form overrides the stay restrictions; `Invalid` without a reason."""
    if values.get("override") != "1":
        return False
    if not values.get("reason", "").strip():
        raise Invalid(
            "say why the restriction is overridden", field="reason", said=Said("override_reason")
        )
    return True


async def _form_page(
    db: DbDep,
    member: Member,
    values: dict[str, str],
    *,
    priced: Any = None,
    error: InnkeepError | None = None,
    status_code: int = 200,
) -> Template:
    cur = await db.execute(
        queries("console")["room_types_of_property"], {"property_id": member.property_id}
    )
    return page(
        "new_booking.html",
        viewer=member.viewer,
        member=member,
        active="new",
        status_code=status_code,
        values=values,
        room_types=await cur.fetchall(),
        quote=priced,
        error=refusal_text(error, member.viewer.language) if error else None,
        error_field=error.field if error else None,
        restricted=error is not None and error.code in RESTRICTIONS,
        **formats(member),
    )


async def _overridden(db: DbDep, catalogue: Any, stay: Stay, today: date) -> str | None:
    """The restriction an override sets aside (its refusal), or None if none applies."""
    try:
        await quote(
            db, catalogue, stay.room_type, stay.check_in, stay.check_out, stay.party, None, today
        )
    except Invalid as refused:
        if refused.code in RESTRICTIONS:
            return refused.message
    return None


class NewBookingController(Controller):
    path = "/{slug:str}/bookings/new"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleNewBooking", cache=False)
    async def start(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        room_type: Text = None,
        check_in: Text = None,
        check_out: Text = None,
        adults: Text = None,
        children: Text = None,
        override: Text = None,
        reason: Annotated[str | None, QueryParameter(required=False, max_length=200)] = None,
    ) -> Template:
        """Dates, room and party; with all of them, the quote as the widget would give it
        (without the stay restrictions when overridden with a reason)."""
        given = {
            "room_type": room_type,
            "check_in": check_in,
            "check_out": check_out,
            "adults": adults,
            "children": children,
            "override": override,
            "reason": reason,
        }
        values = {k: v or "" for k, v in given.items()}
        if not (room_type and check_in and check_out):
            return await _form_page(db, member, values)
        try:
            waive = _waiver(values)
            stay = _stay(values)
            seen = await services.versions.of(member.slug, db)
            catalogue = await services.catalogues.of(db, member.slug, seen)
            priced = await quote(
                db,
                catalogue,
                stay.room_type,
                stay.check_in,
                stay.check_out,
                stay.party,
                None,
                seen.today,
                waive=waive,
            )
        except InnkeepError as refused:
            return await _form_page(db, member, values, error=refused, status_code=422)
        return await _form_page(db, member, values, priced=priced)

    @post("/", operation_id="consoleHoldForBooking", status_code=303)
    async def hold(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        data: Form,
    ) -> Response[Any]:
        """Hold a free unit of the room type for the stay, as the widget does; an override
        of a stay restriction is recorded with its reason on the hold (the booking's
        history)."""
        values = {k: data.get(k, "")[:40] for k in (*FIELDS, "override")}
        values["reason"] = data.get("reason", "").strip()[:200]
        try:
            waive = _waiver(values)
            stay = _stay(values)
            seen = await services.versions.of(member.slug, db)
            catalogue = await services.catalogues.of(db, member.slug, seen)
            overridden = await _overridden(db, catalogue, stay, seen.today) if waive else None
            wish = StayWish(
                stay.room_type,
                stay.check_in,
                stay.check_out,
                stay.party,
                waive_restrictions=waive,
            )
            address = counted_address(client_address(request, services.settings))
            client = Client(session=f"console-{member.viewer.user_id}", address=address)
            held = await services.holds.create(
                db, catalogue, wish, client, seen.today, seen.inventory_version
            )
        except InnkeepError as refused:
            status = 422 if isinstance(refused, Invalid) else 409
            return await _form_page(db, member, values, error=refused, status_code=status)
        if overridden:
            detail = f"{values['reason']} (overrides: {overridden})"
            await record(
                db, member, "restriction_overridden", reservation_id=held.id, detail=detail
            )
        return Redirect(f"/admin/{member.slug}/bookings/new/{held.id}", status_code=303)

    @get("/{hold_id:uuid}", operation_id="consoleNewBookingGuest", cache=False)
    async def guest(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        hold_id: Annotated[UUID, PathParameter(description="the hold's id")],
        done: Text = None,
    ) -> Template:
        """The held room and its quote; the guest's details to book it."""
        held = await desk_hold(db, member.property_id, hold_id)
        return page(
            "new_booking_guest.html",
            viewer=member.viewer,
            member=member,
            active="new",
            hold=held,
            languages=LANGUAGES,
            phone_hold_hours=services.settings.phone_hold_minutes // 60,
            values=msgspec.to_builtins(held.guest) if held.guest else {},
            error=None,
            done=done,
            **formats(member),
        )

    @post("/{hold_id:uuid}", operation_id="consoleBookAtProperty", status_code=303)
    async def book(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        hold_id: Annotated[UUID, PathParameter(description="the hold's id")],
        data: Form,
    ) -> Response[Any]:
        """Book the held room for the guest, paid at the property; or e-mail the guest a
        link to pay for it themselves, the room held meanwhile (``pay=link``)."""
        held = await desk_hold(db, member.property_id, hold_id)
        values = {
            k: data.get(k, "").strip() for k in ("name", "email", "phone", "language", "note")
        }
        try:
            guest = msgspec.convert(
                {k: v for k, v in values.items() if v or k in ("name", "email")}, GuestIn
            )
            if data.get("pay") == "link":
                return await _send_link(db, services, member, held, guest)
            reference = await book_at_property(
                db,
                held,
                guest,
                site=site_url(services.settings),
                test_payment=services.payments.name == "demo",
            )
        except (msgspec.ValidationError, InnkeepError) as refused:
            message = (
                refusal_text(refused, member.viewer.language)
                if isinstance(refused, InnkeepError)
                else str(refused)
            )
            return page(
                "new_booking_guest.html",
                viewer=member.viewer,
                member=member,
                active="new",
                hold=held,
                languages=LANGUAGES,
                phone_hold_hours=services.settings.phone_hold_minutes // 60,
                values=values,
                error=message,
                status_code=422,
                **formats(member),
            )
        if held.status == "held":  # not a repeat of the same click
            await record(db, member, "booked_at_desk", reservation_id=hold_id)
        return Redirect(f"/admin/{member.slug}/bookings/{reference}?done=booked", status_code=303)


async def _send_link(
    db: DbDep, services: Any, member: Member, held: Any, guest: GuestIn
) -> Response[Any]:
    """E-mail the guest their payment link (once) and show the hold kept for them."""
    sent = await send_payment_link(
        db,
        held,
        guest,
        site=site_url(services.settings),
        minutes=services.settings.phone_hold_minutes,
    )
    if sent:
        await record(db, member, "payment_link_sent", reservation_id=held.id, detail=guest.email)
    return Redirect(f"/admin/{member.slug}/bookings/new/{held.id}?done=link_sent", status_code=303)
