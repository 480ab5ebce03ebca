"""What a worker knows of the holds it is writing: the nights are in the way until the hold
is written or fails, and never longer than a gate in flight counts in Redis."""

from __future__ import annotations

import uuid

from widget.inventory.writing import GATE_IN_FLIGHT_SECONDS, HoldsBeingWritten

NIGHTS = ["gate:6:2027-03-01", "gate:6:2027-03-02"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_nights_are_in_the_way_while_their_hold_is_written_and_free_after() -> None:
    writing = HoldsBeingWritten()
    hold = uuid.uuid4()
    writing.begin(NIGHTS, hold)
    assert writing.in_the_way(["gate:6:2027-03-02", "gate:6:2027-03-03"])
    assert not writing.in_the_way(["gate:7:2027-03-01"])  # another unit
    writing.end(NIGHTS, hold)
    assert not writing.in_the_way(NIGHTS)
    assert len(writing) == 0


def test_only_the_hold_that_took_a_night_ends_it() -> None:
    writing = HoldsBeingWritten()
    first, second = uuid.uuid4(), uuid.uuid4()
    writing.begin(NIGHTS, first)
    writing.end(NIGHTS, second)  # a request that never took them
    assert writing.in_the_way(NIGHTS)


def test_a_hold_never_ended_stops_being_in_the_way_as_an_abandoned_gate_does() -> None:
    clock = Clock()
    writing = HoldsBeingWritten(clock)
    writing.begin(NIGHTS, uuid.uuid4())
    clock.now += GATE_IN_FLIGHT_SECONDS - 0.5
    assert writing.in_the_way(NIGHTS)
    clock.now += 1
    assert not writing.in_the_way(NIGHTS)


def test_abandoned_nights_are_dropped_when_many_pile_up_at_most_once_a_second() -> None:
    clock = Clock()
    writing = HoldsBeingWritten(clock)
    for n in range(10_001):
        writing.begin([f"gate:{n + 100}:2027-03-01"], uuid.uuid4())
    clock.now += 0.8
    for n in range(10_001):
        writing.begin([f"gate:{n + 100}:2027-03-02"], uuid.uuid4())
    clock.now += GATE_IN_FLIGHT_SECONDS - 0.3  # the first lot abandoned, the second not yet
    writing.begin(NIGHTS, uuid.uuid4())
    assert len(writing) == 10_001 + len(NIGHTS)
    clock.now += 0.5  # the second lot abandoned too, but swept less than a second ago
    writing.begin(["gate:9:2027-03-03"], uuid.uuid4())
    assert len(writing) == 10_001 + len(NIGHTS) + 1
    clock.now += 0.6
    writing.begin(["gate:9:2027-03-04"], uuid.uuid4())
    assert len(writing) == len(NIGHTS) + 2
