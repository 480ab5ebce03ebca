"""Innkeep's export, imported by a second Innkeep property (in another time zone), gives
exactly the same nights: whatever the bookings and blocks, through every change."""

from __future__ import annotations

import asyncio
import itertools
import threading
from datetime import date, timedelta
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from tests.helpers import add_reservation, property_toml
from tests.sync.conftest import export_path
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import blocked, connect_feeds, day, run, sync_settings
from widget.app import create_app
from widget.inventory.notifications import CHANNEL
from widget.settings import Settings

#: Each stay: a gap before it, its length, and whether it is a booking or a block.
STAYS = st.lists(
    st.tuples(st.integers(0, 4), st.integers(1, 6), st.sampled_from(["confirmed", "blocked"])),
    max_size=6,
)


class _Ear:
    """Hears the serving worker forget: our own marker, or everything (a reconnect)."""

    listening = False

    def __init__(self) -> None:
        self.heard: set[int | None] = set()
        self.changed = threading.Condition()

    def forget(self, property_id: int | None) -> None:
        with self.changed:
            self.heard.add(property_id)
            self.changed.notify_all()


def caught_up(api: TestClient, conn: psycopg.Connection[Any]) -> None:  # type: ignore[type-arg]
    """Wait until the serving worker has heard of every change committed so far. It learns
    of commits through Postgres's notifications, which arrive in commit order: once a marker
    sent now has arrived (or the listener has reconnected and forgotten everything), so has
    every change before it."""
    freshness = api.app.state.services.freshness
    ear = getattr(api, "_round_trip_ear", None)
    if ear is None:
        ear = _Ear()
        freshness.watch(ear)
        api._round_trip_ear = ear  # type: ignore[attr-defined]
    marker = -next(_MARKERS)  # no property has a negative id
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(marker)))
    with ear.changed:
        # Bounded only so that a listener that never comes back fails the test.
        heard = ear.changed.wait_for(lambda: bool(ear.heard & {marker, None}), timeout=120)
        ear.heard.clear()
    assert heard, "the service never heard Postgres's notification"


_MARKERS = itertools.count(1)


def exported(api: TestClient, conn: psycopg.Connection[Any], path: str) -> bytes:  # type: ignore[type-arg]
    """The export as the service answers once it has heard of every change made so far."""
    caught_up(api, conn)
    return api.get(path).content


def nights(stays: list[tuple[date, date]]) -> set[date]:
    return {a + timedelta(days=n) for a, b in stays for n in range((b - a).days)}


def test_an_export_imported_by_another_property_gives_the_same_nights(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    settings: Settings,
    database_url: str,
) -> None:
    synced = sync_settings(settings)
    other = property_toml(slug="harbour", time_zone="Pacific/Auckland")
    connect_feeds(demo_property, feed_server, [("Room 1", "Innkeep", "/export.ics")], other)
    with TestClient(app=create_app(synced)) as api:
        path = export_path(demo_property, synced, "Room 1")

        @settings_for_examples
        @given(STAYS)
        def round_trip(plan: list[tuple[int, int, str]]) -> None:
            demo_property.execute(
                "DELETE FROM reservation r USING property p "
                "WHERE p.id = r.property_id AND p.slug = 'demo'"
            )
            at, made = day(0), []
            for gap, length, status in plan:
                check_in, check_out = at + timedelta(days=gap), at + timedelta(days=gap + length)
                add_reservation(
                    demo_property,
                    check_in=check_in,
                    check_out=check_out,
                    status=status,
                    block_reason="paint" if status == "blocked" else None,
                )
                made.append((check_in, check_out))
                at = check_out
            body = exported(api, demo_property, path)
            assert body.count(b"BEGIN:VEVENT") == len(made)
            feed_server.routes["/export.ics"] = Route(body)
            [outcome] = asyncio.run(run(database_url, synced, slug="harbour"))
            assert outcome.ok, outcome.error
            imported = [(r[2], r[3]) for r in blocked(demo_property, slug="harbour")]
            assert nights(imported) == nights(made)

        round_trip()


settings_for_examples = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
