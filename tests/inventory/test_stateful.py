"""A guesthouse living through random days: holds, releases, bookings, cancellations,
blocks, gaps left between them and the clock moving on. Invariants: no two active
reservations of a unit overlap, every night the calendar calls free can really be held, and
every gap of at most two nights between two reservations can be held exactly (whatever the
minimum stay), as the calendar says."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from datetime import date, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import ON_CLUSTER
from tests.helpers import OPEN_DEMO_TOML, advance_clock, age_gates, flush_redis
from widget.db import create_pool
from widget.errors import InnkeepError
from widget.inventory.availability import calendar
from widget.inventory.blocks import BlockRefused, add_block
from widget.inventory.catalogue import party
from widget.inventory.confirm import confirm_hold
from widget.inventory.holds import StayWish
from widget.inventory.quotas import Client
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.shared_redis import connect
from widget.state import build_services

FIRST = date.today() + timedelta(days=60)
FIRST += timedelta(days=(0 - FIRST.weekday()) % 7)  # a Monday: weekends come into play
DAYS = 12
ROOMS = {"double-sea-view": 2, "family-suite": 2, "garden-single": 1}
_sessions = itertools.count()


class Guesthouse(RuleBasedStateMachine):
    """Drives the real service layer against the suite's Postgres and Redis."""

    settings_: Settings
    database_url: str

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.db = psycopg.connect(self.database_url, autocommit=True)
        self.db.execute(
            "TRUNCATE reservation, clock_offset, idempotency_key RESTART IDENTITY CASCADE"
        )
        relaxed = msgspec.structs.replace(
            self.settings_,
            holds_per_address=10_000,
            hold_attempts_per_minute=10_000,
            holds_per_session=10_000,
        )
        self.pool = create_pool(self.database_url, 2)
        self.redis = connect(self.settings_)
        self.run(self.pool.open())
        flush_redis(self.settings_.redis_url or "", cluster=self.settings_.redis_cluster)
        self.services = build_services(relaxed, self.pool, self.redis)
        self.holds: dict[uuid.UUID, int] = {}  # hold id → version, while we believe it held
        self.bookings: list[uuid.UUID] = []

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.pool.close())
        self.run(self.redis.aclose())
        self.loop.close()
        self.db.close()

    async def _hold(self, room_type: str, start: int, nights: int) -> uuid.UUID | None:
        async with self.pool.connection() as conn:
            seen = await self.services.versions.of("demo", conn)
            catalogue = await self.services.catalogues.of(conn, "demo", seen)
            wish = StayWish(
                room_type=room_type,
                check_in=FIRST + timedelta(days=start),
                check_out=FIRST + timedelta(days=start + nights),
                party=party(1, ()),
            )
            client = Client(f"session-{next(_sessions):08d}", "198.51.100.7")
            try:
                held = await self.services.holds.create(
                    conn, catalogue, wish, client, seen.today, seen.inventory_version
                )
            except InnkeepError as refused:
                # Refused only for a reason a guest is told: taken, or a stay restriction.
                assert refused.code in (
                    "taken",
                    "min_stay",
                    "max_stay",
                    "closed_to_arrival",
                    "closed_to_departure",
                ), refused.message
                return None
            return held.id

    async def _release(self, hold_id: uuid.UUID) -> None:
        async with self.pool.connection() as conn:
            await self.services.holds.release(conn, hold_id)

    @initialize()
    def open_the_guesthouse(self) -> None:
        self.db.execute("TRUNCATE reservation RESTART IDENTITY CASCADE")

    @rule(
        room_type=st.sampled_from(sorted(ROOMS)),
        start=st.integers(0, DAYS - 1),
        nights=st.integers(1, 4),
    )
    def hold(self, room_type: str, start: int, nights: int) -> None:
        hold_id = self.run(self._hold(room_type, start, nights))
        if hold_id:
            self.holds[hold_id] = 1

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        hold_id = data.draw(st.sampled_from(sorted(self.holds)))
        del self.holds[hold_id]

        self.run(self._release(hold_id))

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        if not self.holds:
            return
        hold_id = data.draw(st.sampled_from(sorted(self.holds)))
        version = self.holds.pop(hold_id)

        async def go() -> bool:
            async with self.pool.connection() as conn:
                confirmation = await confirm_hold(conn, hold_id, version, f"pi_{hold_id}")
            return confirmation.confirmed

        if self.run(go()):
            self.bookings.append(hold_id)

    @rule(data=st.data())
    def cancel_booking(self, data: st.DataObject) -> None:
        if not self.bookings:
            return
        booking = data.draw(st.sampled_from(self.bookings))
        self.bookings.remove(booking)
        self.db.execute(
            "UPDATE reservation SET status = 'cancelled', version = version + 1 "
            "WHERE id = %s AND status = 'confirmed'",
            (booking,),
        )

    @rule(
        unit=st.sampled_from(["Room 1", "Room 2", "Suite 4", "Room 6"]),
        start=st.integers(0, DAYS - 1),
        nights=st.integers(1, 3),
    )
    def block(self, unit: str, start: int, nights: int) -> None:
        first = FIRST + timedelta(days=start)
        with contextlib.suppress(BlockRefused):
            add_block(self.db, "demo", unit, first, first + timedelta(days=nights - 1), "repairs")

    @rule(
        unit=st.sampled_from(["Room 1", "Room 2", "Suite 4", "Room 6"]),
        start=st.integers(0, DAYS - 4),
        gap=st.integers(1, 2),
    )
    def leave_a_gap(self, unit: str, start: int, gap: int) -> None:
        """A night blocked on each side of ``gap`` free nights (if they are free)."""
        before = FIRST + timedelta(days=start)
        after = before + timedelta(days=1 + gap)
        for night in (before, after):
            with contextlib.suppress(BlockRefused):
                add_block(self.db, "demo", unit, night, night, "repairs")

    @rule(seconds=st.integers(1, 900))
    def time_passes(self, seconds: int) -> None:
        advance_clock(self.db, timedelta(seconds=seconds))
        # The Redis gates keep real time: let the same time pass for them.
        age_gates(self.settings_, seconds)

    @rule()
    def sweep(self) -> None:
        async def go() -> int:
            async with self.pool.connection() as conn:
                return await self.services.holds.sweep(conn)

        self.run(go())

    @invariant()
    def no_unit_is_sold_twice_on_a_night(self) -> None:
        row = self.db.execute(
            """SELECT count(*) FROM reservation a JOIN reservation b
                 ON a.unit_id = b.unit_id AND a.id < b.id AND a.stay && b.stay
               WHERE a.status IN ('held', 'confirmed', 'blocked')
                 AND b.status IN ('held', 'confirmed', 'blocked')"""
        ).fetchone()
        assert row == (0,)

    @invariant()
    def every_free_night_can_be_held(self) -> None:
        async def free_nights() -> list[tuple[str, int]]:
            async with self.pool.connection() as conn:
                seen = await self.services.versions.of("demo", conn)
                catalogue = await self.services.catalogues.of(conn, "demo", seen)
                answer = await calendar(
                    conn, catalogue, FIRST, FIRST + timedelta(days=DAYS), party(1, ()), seen.today
                )
            return [
                (room.slug, (night.date - FIRST).days)
                for room in answer.room_types
                for night in room.nights
                if night.units_free > 0 and night.min_stay <= 1 and not night.closed_to_arrival
            ]

        for room_type, start in self.run(free_nights()):
            probe = self.run(self._hold(room_type, start, 1))
            assert probe is not None, (
                f"{room_type} on night {start} was called free but not holdable"
            )

            self.run(self._release(probe))

    @invariant()
    def every_short_gap_can_be_filled_as_the_calendar_says(self) -> None:
        gaps = self.db.execute(
            """SELECT rt.slug, upper(a.stay) - %(first)s::date AS start,
                      lower(b.stay) - upper(a.stay) AS nights
               FROM reservation a JOIN reservation b ON a.unit_id = b.unit_id
               JOIN unit u ON u.id = a.unit_id JOIN room_type rt ON rt.id = u.room_type_id
               WHERE lower(b.stay) - upper(a.stay) BETWEEN 1 AND 2
                 AND upper(a.stay) >= %(first)s::date
                 AND NOT EXISTS (SELECT 1 FROM reservation c WHERE c.unit_id = a.unit_id
                       AND c.stay && daterange(upper(a.stay), lower(b.stay))
                       AND c.status IN ('held', 'confirmed', 'blocked'))
                 AND a.status IN ('confirmed', 'blocked') AND b.status IN ('confirmed', 'blocked')
               ORDER BY 1, 2""",
            {"first": FIRST},
        ).fetchall()

        async def shown_minimum(room_type: str, start: int) -> int:
            async with self.pool.connection() as conn:
                seen = await self.services.versions.of("demo", conn)
                catalogue = await self.services.catalogues.of(conn, "demo", seen)
                day = FIRST + timedelta(days=start)
                answer = await calendar(
                    conn, catalogue, day, day + timedelta(days=1), party(1, ()), seen.today
                )
            room = next(r for r in answer.room_types if r.slug == room_type)
            return room.nights[0].min_stay

        for room_type, start, nights in gaps:
            assert self.run(shown_minimum(room_type, start)) <= nights
            probe = self.run(self._hold(room_type, start, nights))
            assert probe is not None, f"a {nights}-night gap of {room_type} on {start}"
            self.run(self._release(probe))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_guesthouse_never_double_books(
    database_url: str, settings: Settings, clean: None
) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(OPEN_DEMO_TOML))
    Guesthouse.settings_ = settings
    Guesthouse.database_url = database_url
    run = settings_for_run(Guesthouse.TestCase)
    run().runTest()


def settings_for_run(case: Any) -> Any:
    # Every health check stays on: none fires. The slow part, Postgres and Redis behind each
    # rule, runs outside Hypothesis' draws, which too_slow times; nothing is filtered, no
    # pytest fixture is reused across examples, and a step's data stays small.
    # Once more on a cluster (scripts/test), with fewer examples: the cluster is the news.
    examples = 4 if ON_CLUSTER else 10
    case.settings = settings(max_examples=examples, stateful_step_count=15, deadline=None)
    return case
