"""How a group's rooms share what was taken once its dates change (`room_money`): the
shares add up to what the group holds, no room is owed a negative amount, and a room keeps
what was taken for it unless it became cheaper than that. And once rooms are cancelled
alone (`rows.rooms_money`): the rooms still booked and what was kept of the others add up
to what the guest pays."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Quote
from engine.quote import Instalment
from widget.payments.cancellation import refund_under
from widget.payments.room_money import RoomMoney, rooms_after_change
from widget.rows import CancellationPolicy, GroupRoom, rooms_money

amounts = st.lists(st.integers(0, 100_000), min_size=1, max_size=4)


@given(taken=amounts, prices=amounts, data=st.data())
def test_the_rooms_shares_add_up_and_owe_nothing_negative(
    taken: list[int], prices: list[int], data: st.DataObject
) -> None:
    rooms = min(len(taken), len(prices))
    taken, prices = taken[:rooms], prices[:rooms]
    moved = data.draw(st.integers(0, sum(taken)))
    shares = rooms_after_change(taken, prices, moved)
    assert sum(s.taken for s in shares) == sum(taken) - moved  # nothing taken goes missing
    assert all(s.taken >= 0 and s.owed >= 0 for s in shares)
    held = sum(taken) - moved
    if held <= sum(prices):  # the group still owes, or has paid exactly: it adds up
        assert sum(s.taken + s.owed for s in shares) == sum(prices)
    if held >= sum(min(t, p) for t, p in zip(taken, prices, strict=True)):
        for share, before, price in zip(shares, taken, prices, strict=True):
            assert share.taken >= min(before, price)  # a room loses only what it paid beyond


def test_a_room_keeps_what_it_paid_and_the_balance_takes_the_rest() -> None:
    # Two deposits of 30 and 60; the new prices 90 and 150: the balance takes 60 and 90.
    assert rooms_after_change([30, 60], [90, 150], 0) == [RoomMoney(30, 60), RoomMoney(60, 90)]


def test_what_a_cheaper_room_paid_beyond_its_price_goes_to_the_room_that_owes() -> None:
    # The second room paid 200 in full and now costs 150: its 50 pays the first room.
    assert rooms_after_change([30, 200], [100, 150], 0) == [RoomMoney(80, 20), RoomMoney(150, 0)]


def test_a_refund_beyond_what_was_taken_is_refused() -> None:
    with pytest.raises(ValueError):
        rooms_after_change([10, 20], [5, 5], 31)


# ------------------------- rooms cancelled alone (`rows.rooms_money`)

ARRIVAL, TODAY = date(2027, 3, 15), date(2027, 1, 15)


def _room(
    position: int, price: int, city_tax: int, deposit_percent: int, policy: CancellationPolicy
) -> GroupRoom:
    """A room costing ``price`` online (a deposit now, the balance later) and ``city_tax``
    at the property."""
    deposit = price * deposit_percent // 100
    schedule = [Instalment(TODAY, deposit), Instalment(date(2027, 3, 1), price - deposit)]
    quote = Quote(
        room_type="double",
        check_in=ARRIVAL,
        check_out=date(2027, 3, 18),
        nights=[],
        stay_lines=[],
        total=price + city_tax,
        due_now=deposit,
        currency="EUR",
        quote_hash="",
        payment_schedule=schedule if deposit < price else [],
    )
    return GroupRoom(
        id=UUID(int=position),
        status="confirmed",
        room_type="double",
        room_type_name="Double",
        unit=f"Room {position + 1}",
        adults=2,
        children=[],
        quote=quote,
        cancellation_policy=policy,
    )


def _cancelled_alone(room: GroupRoom) -> GroupRoom:
    """The room cancelled alone before its balance: its policy on the deposit taken."""
    paid = room.quote.due_now
    refund = refund_under(room.cancellation_policy, paid, ARRIVAL, TODAY)
    return msgspec.structs.replace(
        room, status="cancelled", refund_amount=refund, kept=paid - refund
    )


policies = st.builds(
    CancellationPolicy,
    free_until_days=st.integers(0, 90),
    refund_percent=st.integers(0, 100),
    free_cancellation=st.booleans(),
)
rooms_drawn = st.lists(
    st.tuples(
        st.integers(1, 200_000),
        st.integers(0, 5_000),
        st.integers(1, 100),
        policies,
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@given(drawn=rooms_drawn)
def test_rooms_still_booked_and_what_was_kept_add_up_to_what_the_guest_pays(
    drawn: list[tuple[int, int, int, CancellationPolicy, bool]],
) -> None:
    rooms = []
    for position, (price, tax, percent, policy, cancel) in enumerate(drawn):
        room = _room(position, price, tax, percent, policy)
        # The first room carries the booking: it is never cancelled alone.
        rooms.append(_cancelled_alone(room) if cancel and position else room)
    money = rooms_money(rooms[0].quote, rooms)
    staying = [r for r in rooms if r.status == "confirmed"]
    gone = [r for r in rooms if r.status == "cancelled"]
    assert money.total == sum(r.quote.total for r in staying)
    assert money.at_property == sum(r.quote.total - r.quote.online_total for r in staying)
    assert money.kept == sum(r.quote.due_now - (r.refund_amount or 0) for r in gone)
    # What the guest pays in all: what the guesthouse holds of the deposits after the
    # rooms' refunds, the balances still to charge, and what is paid at the property.
    held = sum(r.quote.due_now for r in rooms) - sum(r.refund_amount or 0 for r in gone)
    owed = sum(r.quote.balance for r in staying)
    assert money.total + money.kept == held + owed + money.at_property
