"""Owners blocking unit dates: never over a booking, and lifted again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation, advance_clock
from widget.inventory.blocks import BlockRefused, add_block, lift_block, list_blocks

FIRST = date.today() + timedelta(days=20)


def add_stay(db: psycopg.Connection[Any], status: str, reference: str | None = None) -> None:
    add_reservation(
        db,
        unit="Room 1",
        check_in=FIRST + timedelta(days=1),
        check_out=FIRST + timedelta(days=3),
        status=status,
        reference=reference,
    )


def test_a_block_takes_nights_out_of_sale_and_can_be_lifted(demo: psycopg.Connection[Any]) -> None:
    block = add_block(demo, "demo", "Room 1", FIRST, FIRST + timedelta(days=2), "painting")
    [listed] = list_blocks(demo, "demo")
    assert listed.id == block and listed.unit == "Room 1"
    assert (listed.first_night, listed.last_night) == (FIRST, FIRST + timedelta(days=2))
    with pytest.raises(BlockRefused, match="an earlier block"):
        add_block(demo, "demo", "Room 1", FIRST + timedelta(days=2), FIRST + timedelta(days=4), "x")
    lift_block(demo, "demo", block)
    assert list_blocks(demo, "demo") == []
    add_block(demo, "demo", "Room 1", FIRST + timedelta(days=2), FIRST + timedelta(days=4), "x")


def test_a_block_over_a_booking_is_refused_with_its_reference(
    demo: psycopg.Connection[Any],
) -> None:
    add_stay(demo, "confirmed", "K7M-Q4P9")
    with pytest.raises(BlockRefused, match="booking K7M-Q4P9"):
        add_block(demo, "demo", "Room 1", FIRST, FIRST + timedelta(days=5), "roof repair")
    assert list_blocks(demo, "demo") == []
    # The night after the booking's check-out day is free to block.
    add_block(demo, "demo", "Room 1", FIRST + timedelta(days=3), FIRST + timedelta(days=3), "x")


def test_a_live_hold_is_in_the_way_but_a_lapsed_one_is_not(demo: psycopg.Connection[Any]) -> None:
    add_stay(demo, "held")
    with pytest.raises(BlockRefused, match="a guest's hold"):
        add_block(demo, "demo", "Room 1", FIRST, FIRST + timedelta(days=5), "roof repair")
    advance_clock(demo, timedelta(minutes=11))
    add_block(demo, "demo", "Room 1", FIRST, FIRST + timedelta(days=5), "roof repair")
    statuses = {r[0] for r in demo.execute("SELECT status::text FROM reservation")}
    assert statuses == {"expired", "blocked"}


def test_mistakes_are_named(demo: psycopg.Connection[Any]) -> None:
    with pytest.raises(BlockRefused, match="its units are: Room 1, Room 2"):
        add_block(demo, "demo", "Room 9", FIRST, FIRST, "x")
    with pytest.raises(BlockRefused, match="no property"):
        add_block(demo, "nowhere", "Room 1", FIRST, FIRST, "x")
    with pytest.raises(BlockRefused, match="before the first"):
        add_block(demo, "demo", "Room 1", FIRST, FIRST - timedelta(days=1), "x")
    with pytest.raises(BlockRefused, match="say why"):
        add_block(demo, "demo", "Room 1", FIRST, FIRST, "  ")
