"""A booking's page (``/admin/{slug}/bookings/{reference}``): guest, stay, unit, the quote
line by line, payments and refunds, the e-mails sent and its history; and its actions,
each shown first (what will happen) and then done by a POST that is safe to repeat:
cancel under the policy (the guest's own cancellation service), cancel one room of a
booking of several (the guest's own service for that too), move to another unit (the
exclusion constraint decides), send the confirmation again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from engine.money import to_major, to_minor
from widget.accounts.sessions import Member
from widget.console.access import MemberDep, requires
from widget.console.history import record
from widget.console.pages import formats, page
from widget.console.refusal_text import refusal_text
from widget.errors import Conflict, Invalid, Said
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.mail.compose import money
from widget.payments.booking_file import (
    BookingFile,
    booking_file,
    confirmations_sent,
    move_booking,
    resend_confirmation,
    units_for_move,
)
from widget.payments.cancellation import Terms, cancel_booking, chosen_refund, terms
from widget.payments.date_change import (
    DateChange,
    change_dates,
    change_target,
    plan_date_change,
)
from widget.payments.room_cancellation import cancel_room, room_cancellation
from widget.state import DbDep, Services, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Reference = Annotated[str, PathParameter(description="the booking's reference", max_length=40)]
#: The length of a date as the forms send it (YYYY-MM-DD).
ISO_DATE = len("2027-06-01")
Step = Annotated[str | None, QueryParameter(required=False, max_length=20)]


def _path(member: Member, reference: str) -> str:
    return f"/admin/{member.slug}/bookings/{reference}"


def _version(data: dict[str, str]) -> int:
    try:
        return int(data.get("version", ""))
    except ValueError:
        raise Invalid(
            "the form lacks the booking's version; reload the page",
            field="version",
            said=Said("form_stale"),
        ) from None


def _refund(member: Member, text: str | None) -> int | None:
    """A refund typed in the property's currency's major units ("150.00") as minor units;
    None when none was typed (the policy's refund)."""
    if not text or not text.strip():
        return None
    try:
        return to_minor(text.strip(), member.currency)
    except ValueError:
        raise Invalid(
            f"the refund is an amount like 150.00 in {member.currency}",
            field="refund",
            said=Said("refund_amount", {"currency": member.currency}),
        ) from None


def _room_to_cancel(text: str | None) -> int:
    """The room of a group the form names to cancel alone (it must name one)."""
    if not text:
        raise Invalid(
            "choose which room of the booking to cancel",
            field="room",
            said=Said("choose_room_to_cancel"),
        )
    return _room_position(text)


def _room_position(text: str | None) -> int:
    """The room of a group the form names (0, the first, when it names none)."""
    if not text:
        return 0
    if not text.isdigit() or len(text) > 2:
        raise Invalid("choose one of the booking's rooms", field="room", said=Said("choose_room"))
    return int(text)


@dataclass(frozen=True)
class Moving:
    """The room being moved: its reservation row and the unit it is in now."""

    id: UUID
    unit: str


def _moving(file: BookingFile, room: int) -> Moving:
    """Room ``room`` of the booking (a booking of one room has only room 0); a cancelled
    room of a group is not moved."""
    rooms = file.booking.group_rooms
    if rooms is None:
        if room != 0:
            raise Invalid("this booking has one room", field="room", said=Said("one_room"))
        return Moving(file.booking.id, file.payment.unit)
    if room >= len(rooms) or rooms[room].status != "confirmed":
        raise Invalid(
            "choose one of the booking's rooms still booked",
            field="room",
            said=Said("choose_booked_room"),
        )
    return Moving(rooms[room].id, rooms[room].unit)


def _stay_dates(check_in: str | None, check_out: str | None) -> tuple[date, date]:
    try:
        return date.fromisoformat(check_in or ""), date.fromisoformat(check_out or "")
    except ValueError:
        raise Invalid(
            "give arrival and departure as dates", field="check_in", said=Said("dates_needed")
        ) from None


async def _plan(
    db: DbDep, services: Services, member: Member, reference: str, stay: tuple[date, date]
) -> DateChange:
    """What changing booking ``reference`` to ``stay`` would do, priced as sold now."""
    seen = await services.versions.of(member.slug, db)
    catalogue = await services.catalogues.of(db, member.slug, seen)
    target = await change_target(db, member.property_id, reference)
    return await plan_date_change(db, catalogue, target, *stay)


def _booking_page(
    member: Member,
    file: BookingFile,
    *,
    action: str | None = None,
    status_code: int = 200,
    error: Invalid | Conflict | str | None = None,
    deal: Terms | None = None,
    **context: Any,
) -> Template:
    policy = terms(file.booking)
    field = getattr(error, "field", None)
    language = member.viewer.language
    return page(
        "booking.html",
        viewer=member.viewer,
        member=member,
        status_code=status_code,
        file=file,
        b=file.booking,
        policy=policy,
        deal=deal or policy,
        action=action,
        error=error if isinstance(error, str) or error is None else refusal_text(error, language),
        error_field=field,
        to_major=lambda minor: to_major(minor, member.currency),
        **context,
        **formats(member),
    )


def _room_refused(
    member: Member, file: BookingFile, room: int, refused: Invalid | Conflict
) -> Template:
    """The booking page saying why room ``room`` cannot be cancelled alone."""
    status = 422 if isinstance(refused, Invalid) else 409
    return _booking_page(
        member, file, action="cancel_room", room=room, error=refused, status_code=status
    )


class BookingController(Controller):
    path = "/{slug:str}/bookings/{reference:str}"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleBooking", cache=False)
    async def show(
        self, db: DbDep, member: MemberDep, reference: Reference, done: Step = None
    ) -> Template:
        """The booking, its money, its e-mails and its history."""
        file = await booking_file(db, member.property_id, reference)
        return _booking_page(member, file, done=done)

    @get("/cancel", operation_id="consoleCancelPreview", cache=False)
    async def cancel_preview(
        self,
        db: DbDep,
        member: MemberDep,
        reference: Reference,
        refund: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    ) -> Template:
        """What cancelling now would do (the refund by the policy, or the one chosen),
        before it is done."""
        file = await booking_file(db, member.property_id, reference)
        try:
            chosen = _refund(member, refund)
            deal = None if chosen is None else chosen_refund(file.booking, chosen)
        except Invalid as refused:
            return _booking_page(
                member, file, action="cancel", error=refused, status_code=422, chosen=refund
            )
        return _booking_page(member, file, action="cancel", deal=deal, chosen=refund)

    @post("/cancel", operation_id="consoleCancel", status_code=303)
    async def cancel(
        self, db: DbDep, services: ServicesDep, member: MemberDep, reference: Reference, data: Form
    ) -> Response[Any]:
        """Cancel under the policy, or with the refund chosen in the preview; a repeat of
        the same click changes nothing more."""
        file = await booking_file(db, member.property_id, reference)
        if file.booking.status == "cancelled":
            return Redirect(f"{_path(member, reference)}?done=cancelled", status_code=303)
        if file.booking.version != _version(data):
            raise Conflict(
                "The booking changed since you looked; please check it again.", code="stale"
            )
        try:
            chosen = _refund(member, data.get("refund"))
            after = await cancel_booking(db, services.payments, file.booking, chosen)
        except Invalid as refused:
            return _booking_page(
                member,
                file,
                action="cancel",
                error=refused,
                status_code=422,
                chosen=data.get("refund", "")[:20],
            )
        how = "policy" if chosen is None else "chosen"
        detail = f"refund {money(after.refund_amount or 0, member.currency, 'en')} ({how})"
        await record(db, member, "cancelled", reservation_id=after.id, detail=detail)
        return Redirect(f"{_path(member, reference)}?done=cancelled", status_code=303)

    @get("/cancel-room", operation_id="consoleCancelRoomPreview", cache=False)
    async def cancel_room_preview(
        self,
        db: DbDep,
        member: MemberDep,
        reference: Reference,
        room: Annotated[int | None, QueryParameter(required=False, ge=0, le=99)] = None,
    ) -> Template:
        """What cancelling room ``room`` of a group alone would do (its unit, the refund its
        own plan's policy gives now), or why it cannot be; without ``room``, the rooms."""
        file = await booking_file(db, member.property_id, reference)
        if room is None:
            return _booking_page(member, file, action="cancel_room")
        try:
            deal = await room_cancellation(db, file.booking, room)
        except (Invalid, Conflict) as refused:
            return _room_refused(member, file, room, refused)
        return _booking_page(member, file, action="cancel_room", room=room, room_deal=deal)

    @post("/cancel-room", operation_id="consoleCancelRoom", status_code=303)
    async def cancel_one_room(
        self, db: DbDep, services: ServicesDep, member: MemberDep, reference: Reference, data: Form
    ) -> Response[Any]:
        """Cancel one room of a group (not its first) as the preview showed, refunding what
        its plan's policy gives back of what was taken for it; a repeat of the same click
        changes nothing more."""
        room = _room_to_cancel(data.get("room"))
        file = await booking_file(db, member.property_id, reference)
        done = f"{_path(member, reference)}?done=room_cancelled"
        rooms = file.booking.group_rooms or []
        if 0 < room < len(rooms) and rooms[room].status == "cancelled":
            return Redirect(done, status_code=303)
        if file.booking.version != _version(data):
            raise Conflict(
                "The booking changed since you looked; please check it again.", code="stale"
            )
        try:
            after = await cancel_room(db, services.payments, file.booking, room, by_guest=False)
        except (Invalid, Conflict) as refused:
            return _room_refused(member, file, room, refused)
        cancelled = (after.group_rooms or [])[room]
        refund = money(cancelled.refund_amount or 0, member.currency, "en")
        detail = (
            f"room {room + 1}, {cancelled.room_type_name} ({cancelled.unit}): "
            f"refund {refund} (policy)"
        )
        await record(db, member, "room_cancelled_at_desk", reservation_id=after.id, detail=detail)
        return Redirect(done, status_code=303)

    @get("/move", operation_id="consoleMovePreview", cache=False)
    async def move_preview(
        self,
        db: DbDep,
        member: MemberDep,
        reference: Reference,
        unit: Annotated[int | None, QueryParameter(required=False)] = None,
        room: Annotated[int, QueryParameter(required=False, ge=0, le=99)] = 0,
    ) -> Template:
        """The units to move the booking (for a group, its room ``room``) to, and for a
        chosen one, what moving does."""
        file = await booking_file(db, member.property_id, reference)
        moving = _moving(file, room)
        units = await units_for_move(db, member.property_id, file.booking, moving.id)
        chosen = next((u for u in units if u.id == unit), None)
        return _booking_page(
            member, file, action="move", units=units, chosen=chosen, room=room, moving=moving
        )

    @post("/move", operation_id="consoleMove", status_code=303)
    async def move(
        self, db: DbDep, member: MemberDep, reference: Reference, data: Form
    ) -> Response[Any]:
        """Move to the chosen unit; the constraint decides, a refusal names the clash."""
        try:
            unit_id = int(data.get("unit", ""))
        except ValueError:
            raise Invalid("choose a unit", field="unit", said=Said("choose_unit")) from None
        room = _room_position(data.get("room"))
        file = await booking_file(db, member.property_id, reference)
        moving = _moving(file, room)
        try:
            before, after = await move_booking(
                db, member.property_id, reference, unit_id, _version(data), room
            )
        except Conflict as refused:
            units = await units_for_move(db, member.property_id, file.booking, moving.id)
            chosen = next((u for u in units if u.id == unit_id), None)
            return _booking_page(
                member,
                file,
                action="move",
                units=units,
                chosen=chosen,
                room=room,
                moving=moving,
                error=refused,
                status_code=409,
            )
        if before != after:
            which = f"room {room + 1}: " if file.booking.group_rooms else ""
            await record(
                db,
                member,
                "moved",
                reservation_id=file.booking.id,
                detail=f"{which}{before} → {after}",
            )
        return Redirect(f"{_path(member, reference)}?done=moved", status_code=303)

    @get("/resend", operation_id="consoleResendPreview", cache=False)
    async def resend_preview(self, db: DbDep, member: MemberDep, reference: Reference) -> Template:
        """What sending the confirmation again does, before it is done."""
        file = await booking_file(db, member.property_id, reference)
        seen = await confirmations_sent(db, file.booking)
        return _booking_page(member, file, action="resend", seen=seen)

    @post("/resend", operation_id="consoleResend", status_code=303)
    async def resend(
        self, db: DbDep, services: ServicesDep, member: MemberDep, reference: Reference, data: Form
    ) -> Response[Any]:
        """Send the guest's confirmation again (once, however often the button is pressed)."""
        try:
            seen = int(data.get("seen", ""))
        except ValueError:
            raise Invalid(
                "the form lacks what it saw; reload the page", field="seen", said=Said("form_stale")
            ) from None
        file = await booking_file(db, member.property_id, reference)
        demo = services.payments.name == "demo"
        site = site_url(services.settings)
        sent = await resend_confirmation(db, file.booking, site, demo, seen)
        if sent:
            await record(db, member, "confirmation_resent", reservation_id=file.booking.id)
        return Redirect(f"{_path(member, reference)}?done=resent", status_code=303)

    @get("/dates", operation_id="consoleDatesPreview", cache=False)
    async def dates_preview(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        reference: Reference,
        check_in: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
        check_out: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
    ) -> Template:
        """New dates for the booking; for chosen ones, the new price and what happens to
        the difference, before anything is changed."""
        file = await booking_file(db, member.property_id, reference)
        wanted = {"check_in": check_in or "", "check_out": check_out or ""}
        if not (check_in and check_out):
            return _booking_page(member, file, action="dates", wanted=wanted)
        try:
            change = await _plan(db, services, member, reference, _stay_dates(check_in, check_out))
        except (Invalid, Conflict) as refused:
            return _booking_page(
                member, file, action="dates", wanted=wanted, error=refused, status_code=422
            )
        return _booking_page(member, file, action="dates", wanted=wanted, change=change)

    @post("/dates", operation_id="consoleChangeDates", status_code=303)
    async def change_dates(
        self, db: DbDep, services: ServicesDep, member: MemberDep, reference: Reference, data: Form
    ) -> Response[Any]:
        """Change the dates as the preview showed; the constraint decides, a refusal names
        the clash; the same click again changes nothing more."""
        file = await booking_file(db, member.property_id, reference)
        wanted = {k: data.get(k, "")[:ISO_DATE] for k in ("check_in", "check_out")}
        stay = _stay_dates(wanted["check_in"], wanted["check_out"])
        version = _version(data)
        if file.booking.version != version:
            if (file.booking.check_in, file.booking.check_out) == stay:
                return Redirect(f"{_path(member, reference)}?done=dates_changed", status_code=303)
            raise Conflict(
                "The booking changed since you looked; please check it again.", code="stale"
            )
        try:
            change = await _plan(db, services, member, reference, stay)
            if change.price_key != data.get("quote_hash"):
                raise Conflict(
                    "The price of the new dates changed since it was shown; here it is again.",
                    code="price_changed",
                )
            outcome = await change_dates(
                db,
                services.payments,
                change,
                actor=member.viewer.email,
                site=site_url(services.settings),
            )
        except (Invalid, Conflict) as refused:
            again = (
                None
                if isinstance(refused, Invalid)
                else await _maybe_plan(db, services, member, reference, stay)
            )
            return _booking_page(
                member,
                file,
                action="dates",
                wanted=wanted,
                change=again,
                error=refused,
                status_code=422 if isinstance(refused, Invalid) else 409,
            )
        detail = (
            f"{file.booking.check_in} – {file.booking.check_out} → {stay[0]} – {stay[1]}; "
            f"{outcome} {money(change.amount, member.currency, 'en')}"
        )
        await record(db, member, "dates_changed", reservation_id=file.booking.id, detail=detail)
        return Redirect(f"{_path(member, reference)}?done=dates_changed", status_code=303)


async def _maybe_plan(
    db: DbDep, services: Services, member: Member, reference: str, stay: tuple[date, date]
) -> DateChange | None:
    """The preview to show again beside a refusal (none if it cannot be priced)."""
    try:
        return await _plan(db, services, member, reference, stay)
    except (Invalid, Conflict):
        return None
