"""The reservation table's rows as the service reads them: typed, with the stored quote an
`engine.Quote` and the guest a `Guest`, decoded once where the SQL is run.

Each Struct names the query it decodes (``widget/sql/*.sql``); a column the query adds but
the Struct does not name is ignored. JSON columns (``quote``, ``guest``,
``cancellation_policy``) hold what earlier releases stored too, so a field added to them
later must have a default (tests/widget/test_rows.py decodes a quote as stored today).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

import msgspec

from engine import Quote

RowT = TypeVar("RowT")


def decoded(row: dict[str, Any], kind: type[RowT]) -> RowT:
    """``row`` (a dict from psycopg's ``dict_row``) as the Struct ``kind``."""
    return msgspec.convert(row, type=kind)


class StayMoney(NamedTuple):
    """What a booking's rooms cost together: its one room's quote, or the sum over a
    group's rooms (whose first room carries the one payment and the one balance); a room
    cancelled alone is not among them: what was kept of it is ``kept``."""

    total: int
    due_now: int
    #: What is charged online after booking (0: all paid now, or at the property).
    balance: int
    #: When the balance is charged (None: nothing is charged later).
    balance_due: date | None
    #: What the guesthouse kept of the rooms cancelled alone (what was taken for them less
    #: their refunds): the guest pays ``total`` + ``kept`` in all.
    kept: int = 0

    @property
    def at_property(self) -> int:
        """What the rooms still booked leave to pay at the property (a city tax, say)."""
        return self.total - self.due_now - self.balance


def stay_money(quote: Quote, group_quotes: list[Quote] | None) -> StayMoney:
    """The money of a booking's rooms (``group_quotes``: a group's, else just ``quote``).
    A group's rooms share their plan's payment terms, so their balances fall due together;
    the earliest day is taken all the same, so nothing is charged late."""
    quotes = group_quotes or [quote]
    dues = [q.payment_schedule[-1].due for q in quotes if q.balance > 0 and q.payment_schedule]
    return StayMoney(
        total=sum(q.total for q in quotes),
        due_now=sum(q.due_now for q in quotes),
        balance=sum(q.balance for q in quotes),
        balance_due=min(dues) if dues else None,
    )


def rooms_money(quote: Quote, rooms: list[GroupRoom] | None) -> StayMoney:
    """The money of a booking as it stands: its one room, or a group's rooms still booked
    (every room once the whole booking is cancelled), with what was kept of the rooms
    cancelled alone. The console, the guest's page and API, the e-mails and the owners'
    webhooks all read a group's total and what is due at the property from here."""
    if not rooms:
        return stay_money(quote, None)
    staying = [room.quote for room in rooms if not room.cancelled_alone]
    money = stay_money(quote, staying or [quote])
    return money._replace(kept=sum(room.kept or 0 for room in rooms))


def left_at_property(money: StayMoney, payment_provider: str | None, status: str) -> int:
    """What a stay leaves to pay at the property, as every reader says it (the console's
    booking page and Today, the accountant's file): nothing once cancelled (its guests are
    not coming), everything for a stay taken at the desk and paid there, else what is not
    paid online (a city tax; a balance charged later is paid online)."""
    if status == "cancelled":
        return 0
    return money.total if payment_provider == "property" else money.at_property


def paid_at_property(quote: Quote, group_quotes: list[Quote] | None) -> bool:
    """Nothing of the booking is paid online: its one room, or every room of a group, is on
    a plan paid at the property. A group that mixes plans paid online with plans paid at
    the property (with no card kept) pays its online rooms' part now, in one payment."""
    return all(q.pay_at_property for q in group_quotes or [quote])


class Guest(msgspec.Struct, frozen=True):
    """Who is staying, as checkout stored it (``widget.payments.checkout.checked_guest``)."""

    name: str
    email: str
    language: str = "en"
    phone: str | None = None
    note: str | None = None


class CancellationPolicy(msgspec.Struct, frozen=True):
    """The cancellation policy a booking was made under (its rate plan's, else the
    property's): free until ``free_until_days`` before arrival (never, if not
    ``free_cancellation``), then ``refund_percent`` of what was paid comes back."""

    free_until_days: int = 0
    refund_percent: int = 0
    free_cancellation: bool = True


class GroupRoom(msgspec.Struct, frozen=True):
    """One room of a booking of several rooms, in the guest's order (the SQL's
    ``group_rooms``: every room, the first included)."""

    id: UUID
    status: str
    room_type: str
    room_type_name: str
    unit: str
    adults: int | None
    children: list[int] | None
    quote: Quote
    #: The room's plan's policy, else the property's.
    cancellation_policy: CancellationPolicy
    #: What cancelling this room alone gave back (None: not cancelled alone).
    refund_amount: int | None = None
    #: What was actually taken for this room (``room_paid``, migrations 0026 and 0036).
    paid: int | None = None
    #: What the group's last change of dates left this room to pay online (None while its
    #: dates never changed: its quote says it).
    owed: int | None = None
    #: What was kept of what was taken for this room when it was cancelled alone (its
    #: policy's part; None: not cancelled alone; migration 0037).
    kept: int | None = None

    @property
    def guests(self) -> int:
        return (self.adults or 0) + len(self.children or [])

    @property
    def cancelled_alone(self) -> bool:
        """Cancelled on its own while the booking stands (its guests are not coming)."""
        return self.status == "cancelled" and self.kept is not None


class PaymentTermsRow(msgspec.Struct, frozen=True):
    """The payment terms a hold was priced under (its plan's; the columns of
    ``widget.properties.plans.PaymentTerms``): ``online`` with ``deposit_percent`` now and
    the balance ``balance_days_before`` arrival, or ``at_property``."""

    mode: str = "online"
    deposit_percent: int = 100
    balance_days_before: int = 14
    card_guarantee: bool = False


class BalanceRow(msgspec.Struct, frozen=True):
    """A booking's balance: what is charged after booking, on which day, and how it stands
    (``scheduled``, ``succeeded``, ``requires_action``, ``balance_due``, ``canceled``)."""

    amount: int
    due_on: date
    status: str


class PlanName(msgspec.Struct, frozen=True):
    """A rate plan's (or an extra's) slug, name and what it includes (per language), to
    name it to guests."""

    slug: str
    name: str | dict[str, str]
    included: str | dict[str, str] | None = None


def in_language(names: str | dict[str, str] | None, language: str) -> str | None:
    """A name written once or per language, in ``language`` (else English, else any)."""
    if names is None or isinstance(names, str):
        return names
    return names.get(language) or names.get("en") or next(iter(names.values()), None)


def plan_label(plans: list[PlanName], slug: str | None, language: str) -> str | None:
    """ "Flexible (Breakfast)": the plan a quote was sold under, as its guest reads it."""
    plan = next((p for p in plans if p.slug == slug), None)
    if plan is None:
        return slug
    name = in_language(plan.name, language) or plan.slug
    included = in_language(plan.included, language)
    return f"{name} ({included})" if included else name


def extras_label(extras: list[PlanName], chosen: dict[str, int], language: str) -> str | None:
    """ "Breakfast × 2, Parking × 1": the extras booked, as their guest reads them."""
    names = {extra.slug: in_language(extra.name, language) for extra in extras}
    shown = [f"{names.get(slug) or slug} × {quantity}" for slug, quantity in chosen.items()]
    return ", ".join(shown) or None


class Hold(msgspec.Struct, frozen=True):
    """A reservation as its guest may see it: a hold, or the booking it became
    (``inventory.sql`` ``hold_by_id``)."""

    id: UUID
    property_id: int
    property_slug: str
    currency: str
    time_zone: str
    unit_id: int
    room_type: str
    check_in: date
    check_out: date
    status: str
    version: int
    hold_expires_at: datetime | None
    #: The hold's time is up by the database's clock (it may not be swept yet).
    lapsed: bool | None
    adults: int | None
    children: list[int]
    #: The stored quote and its hash: what the guest is charged.
    quote: Quote | None
    quote_hash: str | None
    promo_code: str | None
    guest: Guest | None
    reference: str | None
    payment_provider: str | None
    payment_ref: str | None
    payment_status: str | None
    client_key: str | None
    #: The plan's payment terms the hold was priced under (None: all paid at booking).
    payment_terms: PaymentTermsRow | None = None
    property_name: str = ""
    #: For a group's first room: every room's quote, in the guest's order (None otherwise).
    group_quotes: list[Quote] | None = None

    @property
    def money(self) -> StayMoney | None:
        """What the hold's rooms cost together (None: an unpriced row, which is no hold)."""
        return None if self.quote is None else stay_money(self.quote, self.group_quotes)


class Reservation(msgspec.Struct, frozen=True):
    """A hold and its payment, as confirmation and the reconciler read it
    (``payments.sql`` ``reservation_for_payment``)."""

    id: UUID
    property_id: int
    status: str
    version: int
    reference: str | None
    guest: Guest | None
    quote: Quote | None
    payment_provider: str | None
    payment_ref: str | None
    payment_status: str | None
    payment_captured_at: datetime | None
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    hold_expires_at: datetime | None
    lapsed: bool | None
    room_type: str
    room_type_name: str
    property_slug: str
    currency: str
    #: The plan's payment terms (None: all paid at booking).
    payment_terms: PaymentTermsRow | None = None
    #: The provider's customer and saved card, for charges after booking.
    customer_ref: str | None = None
    payment_method_ref: str | None = None
    #: For a group's first room: every room's quote, in the guest's order (None otherwise).
    group_quotes: list[Quote] | None = None

    @property
    def money(self) -> StayMoney | None:
        """What the rooms cost together (None: an unpriced row, which is no hold)."""
        return None if self.quote is None else stay_money(self.quote, self.group_quotes)


class Booking(msgspec.Struct, frozen=True):
    """A booking as its guest may read it (``payments.sql`` ``booking_by_reference``, less
    its secrets' hashes)."""

    id: UUID
    reference: str
    status: str
    version: int
    guest: Guest | None
    quote: Quote
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    payment_provider: str | None
    payment_ref: str | None
    payment_status: str | None
    cancelled_at: datetime | None
    refund_amount: int | None
    room_type: str
    room_type_name: str
    property_slug: str
    property_name: str
    currency: str
    cancellation_policy: CancellationPolicy
    #: The property's today, by the database's clock.
    today: date
    #: The property's rate plans and extras, to name those the booking was sold with.
    rate_plans: list[PlanName] = []
    extras: list[PlanName] = []
    payment_terms: PaymentTermsRow | None = None
    #: What was actually paid: the payment at booking and every later charge taken.
    paid: int = 0
    #: For a group's first room: every room's quote, in the guest's order (None otherwise).
    group_quotes: list[Quote] | None = None
    #: For a group's first room: every room, in the guest's order (None otherwise).
    group_rooms: list[GroupRoom] | None = None
    #: The booking's balance was charged (each room's balance is then paid too).
    balance_taken: bool = False
    #: The provider's customer and the card kept on it (a balance, a guarantee).
    customer_ref: str | None = None
    payment_method_ref: str | None = None
    #: The balance charged after booking, if the plan has one.
    balance: BalanceRow | None = None
    #: The console changed the booking's dates: for a group, what was paid no longer
    #: follows its rooms' quotes (`widget.payments.cancellation.room_shares`).
    dates_changed: bool = False

    @property
    def money(self) -> StayMoney:
        """What the booking's rooms cost together (a group's rooms still booked, and what
        was kept of those cancelled alone)."""
        return rooms_money(self.quote, self.group_rooms)

    @property
    def due_at_property(self) -> int:
        """What the booking's rooms still booked leave to pay at the property."""
        return left_at_property(self.money, self.payment_provider, self.status)

    @property
    def paid_held(self) -> int:
        """What the guesthouse holds of what was paid: ``paid`` less the refunds of the
        rooms cancelled alone."""
        given_back = sum(r.refund_amount or 0 for r in self.group_rooms or [] if r.cancelled_alone)
        return self.paid - given_back


class BookingMail(msgspec.Struct, frozen=True):
    """What the e-mails of a booking say (``payments.sql`` ``booking_for_mail``)."""

    id: UUID
    reference: str
    guest: Guest
    quote: Quote
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    room_type_name: str
    property_name: str
    contact_email: str
    currency: str
    locale: str
    check_in_time: time
    check_out_time: time
    cancellation_policy: CancellationPolicy
    time_zone: str
    #: The property's rate plans and extras, to name those the booking was sold with.
    rate_plans: list[PlanName] = []
    extras: list[PlanName] = []
    #: ``at_property`` for a booking taken at the front desk: nothing was paid online.
    payment_status: str | None = None
    #: For a group's first room: every room, in the guest's order (None otherwise).
    group_rooms: list[GroupRoom] | None = None
    #: The plan's payment terms the booking was sold under (a card guarantee, a balance).
    payment_terms: PaymentTermsRow | None = None

    @property
    def money(self) -> StayMoney:
        """What the booking's rooms cost together (a group's rooms still booked, or its one
        room's), and what was kept of the rooms cancelled alone."""
        return rooms_money(self.quote, self.group_rooms)

    @property
    def paid_online(self) -> int:
        """What the guest paid when booking (minor units): nothing for a desk booking."""
        return 0 if self.payment_status == "at_property" else self.money.due_now


class ListedBooking(msgspec.Struct, frozen=True):
    """One line of the owner's booking list (``bookings.sql`` ``bookings_between``)."""

    reference: str
    status: str
    check_in: date
    check_out: date
    unit: str
    room_type: str
    guest: Guest | None
    adults: int | None
    children: list[int]
    quote: Quote
    refund_amount: int | None
    currency: str
    #: What was actually taken (None: read by a query that does not say).
    paid: int | None = None


class NoShowTarget(msgspec.Struct, frozen=True):
    """A booking an owner charges a no-show fee to (``payments.sql`` ``no_show_target``)."""

    id: UUID
    reference: str
    status: str
    quote: Quote
    payment_terms: PaymentTermsRow | None
    customer_ref: str | None
    payment_method_ref: str | None
    check_in: date
    cancellation_policy: CancellationPolicy
    today: date
    #: For a group's first room: every room's quote (the fee is the booking's, all rooms').
    group_quotes: list[Quote] | None = None


class BookingEvent(msgspec.Struct, frozen=True):
    """What an owner webhook says of a booking (``webhooks.sql`` ``booking_for_webhook``)."""

    property_id: int
    property_slug: str
    reference: str
    status: str
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    #: None only for rows that never had one (a block); bookings always carry their quote.
    quote: Quote | None
    guest: Guest | None
    refund_amount: int | None
    unit: str
    room_type_slug: str
    room_type_name: str
    currency: str
    #: For a group's first room: every room, in the guest's order (None otherwise).
    group_rooms: list[GroupRoom] | None = None


class GuestReservation(msgspec.Struct, frozen=True):
    """A reservation that holds a guest's e-mail (``guests.sql`` ``guest_reservations``)."""

    id: UUID
    reference: str | None
    status: str
    check_in: date
    check_out: date
    unit: str
    room_type: str
    guest: Guest | None
    payment_ref: str | None
    guest_erased_at: datetime | None


class PricedStay(msgspec.Struct, frozen=True):
    """A confirmed booking's room type and quote (``reports.sql`` ``report_bookings``)."""

    reference: str | None
    room_type: str
    quote: Quote


class LedgerBooking(msgspec.Struct, frozen=True):
    """One booking of the accountant's files (``reports.sql`` ``ledger_bookings``)."""

    reference: str
    status: str
    booked_at: datetime
    check_in: date
    check_out: date
    room_type: str
    unit: str
    guest: Guest | None
    adults: int | None
    children: list[int]
    quote: Quote | None
    payment_provider: str | None
    payment_ref: str | None
    payment_status: str | None
    captured_at: datetime | None
    cancelled_at: datetime | None
    refund_amount: int | None
    refund_ref: str | None
    currency: str
    #: What was actually taken online for the line, less what changes of dates gave back
    #: (the console's "paid online"; see the query).
    paid: int = 0
    #: What was kept of a room cancelled alone (None: not cancelled alone).
    kept: int | None = None
    #: What is still to be taken online, on a booking's first line (None on the others).
    owed_online: int | None = None


class LedgerMovement(msgspec.Struct, frozen=True):
    """One movement of money of the accountant's payments file (``reports.sql``
    ``ledger_movements``): ``amount`` in minor units, negative for a refund."""

    reference: str
    kind: str
    at: datetime | None
    amount: int
    currency: str
    provider: str | None
    provider_ref: str | None
    status: str | None

    @property
    def paid_by(self) -> tuple[str | None, str | None, str | None]:
        """The provider, its reference and how the movement stands."""
        return self.provider, self.provider_ref, self.status
