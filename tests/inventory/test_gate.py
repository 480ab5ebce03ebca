"""The gate over a group's choices of units: the first set whose nights are all free is
taken whole, in one call; a set partly held is never partly taken."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from widget.inventory.gate import Gate
from widget.metrics import Metrics
from widget.settings import Settings
from widget.shared_redis import RedisWatch, connect


@pytest.fixture
async def gate(settings: Settings, clean: None) -> AsyncIterator[Gate]:
    redis = connect(settings)
    try:
        yield Gate(redis, RedisWatch(Metrics()))
    finally:
        await redis.aclose()


async def take(gate: Gate, keys: list[str], hold_id: uuid.UUID) -> str | None:
    """Take one set of nights: None when taken, else the holder in the way."""
    index, holders = await gate.acquire_first([keys], hold_id, 60)
    return None if index is not None else holders[0].hold_id


def nights(unit: int, count: int = 2) -> list[str]:
    return [f"innkeep:{{p:1}}:gate:{unit}:2027-06-0{night + 1}" for night in range(count)]


async def test_the_first_set_whose_nights_are_all_free_is_taken_whole(gate: Gate) -> None:
    other, mine = uuid.uuid4(), uuid.uuid4()
    assert await take(gate, nights(2)[1:], other) is None  # unit 2's second night
    sets = [nights(1) + nights(2), nights(2) + nights(3), nights(1) + nights(3)]
    index, holders = await gate.acquire_first(sets, mine, 60)
    assert (index, holders) == (2, [])
    # Units 1 and 3 are the group's now; unit 2's first night was not touched.
    assert await take(gate, nights(1)[:1], uuid.uuid4()) is not None
    assert await take(gate, nights(3)[1:], uuid.uuid4()) is not None
    assert await take(gate, nights(2)[:1], uuid.uuid4()) is None


async def test_when_every_set_is_held_each_names_its_holder_and_nothing_is_taken(
    gate: Gate,
) -> None:
    first, second, mine = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert await take(gate, nights(1), first) is None
    assert await take(gate, nights(3), second) is None
    sets = [nights(1) + nights(2), nights(2) + nights(3)]
    index, holders = await gate.acquire_first(sets, mine, 60)
    assert index is None
    assert [holder.hold_id for holder in holders] == [str(first), str(second)]
    # Unit 2, free in both sets, is still free.
    assert await take(gate, nights(2), uuid.uuid4()) is None


async def test_a_set_held_only_by_a_yielding_hold_is_taken(gate: Gate) -> None:
    stale, mine = uuid.uuid4(), uuid.uuid4()
    assert await take(gate, nights(1), stale) is None
    sets = [nights(1) + nights(2)]
    assert (await gate.acquire_first(sets, mine, 60))[0] is None
    index, _ = await gate.acquire_first(sets, mine, 60, yielding=(str(stale),))
    assert index == 0
    assert await take(gate, nights(1)[:1], uuid.uuid4()) == str(mine)
