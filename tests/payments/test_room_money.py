"""How a group's rooms share what was taken once its dates change (`room_money`): the
shares add up to what the group holds, no room is owed a negative amount, and a room keeps
what was taken for it unless it became cheaper than that."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widget.payments.room_money import RoomMoney, rooms_after_change

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
