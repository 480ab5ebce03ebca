"""Channel sync where the owner looks every morning: conflicts and failing feeds at the top
of Today, imported stays (with their channel) and conflicts on the calendar, and a
conflict resolved by hand (console or `innkeep sync resolve`), noted in the history and
not reopened by the next fetch while the same two stays clash."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.console.conftest import OWNER, STAFF, add_booking, csrf_of
from tests.sync.feed_server import FeedServer, Route, running
from tests.sync.importing import conflicts, connect_feeds, day, run, sync_settings
from tests.sync.samples import airbnb
from widget.cli import main
from widget.settings import Settings


@pytest.fixture
def clash(
    people: psycopg.Connection[Any], quiet_settings: Settings, database_url: str
) -> Iterator[Any]:
    """DIRECT1 books Room 1 for day 1 to 3; Airbnb lists day 1 to 4 (two nights clash, the
    third is imported); Room 2's Vrbo feed answers 404. Returns a function that imports."""
    add_booking(people, "DIRECT1", day(1).isoformat(), day(3).isoformat())
    people.commit()
    with contextlib.contextmanager(running)() as server:
        assert isinstance(server, FeedServer)
        server.routes["/a.ics"] = Route(airbnb([(day(1), day(4))]))
        server.routes["/v.ics"] = Route(b"gone", status=404)
        feeds = [("Room 1", "Airbnb", "/a.ics"), ("Room 2", "Vrbo", "/v.ics")]
        connect_feeds(people, server, feeds)

        async def sync(stay: tuple[Any, Any] | None = None) -> None:
            if stay is not None:  # Airbnb's guest changes dates (the same UID)
                server.routes["/a.ics"] = Route(airbnb([stay]))
            await run(database_url, sync_settings(quiet_settings))

        yield sync


async def _calendar(client: Any) -> str:
    months = {f"{day(1):%Y-%m}", f"{day(3):%Y-%m}"}
    return "".join([(await client.get(f"/admin/demo/calendar?month={m}")).text for m in months])


async def test_today_leads_with_conflicts_and_failing_feeds_and_an_owner_resolves_one(
    signed_in: Any, people: psycopg.Connection[Any], clash: Any
) -> None:
    client = await signed_in(OWNER)
    assert 'data-testid="sync-trouble"' not in (await client.get("/admin/demo/")).text
    await clash()
    [(uid, *_)] = conflicts(people)
    (conflict_id,) = people.execute("SELECT id FROM sync_conflict").fetchone() or (0,)
    today = (await client.get("/admin/demo/")).text
    assert today.index('data-testid="sync-trouble"') < today.index('data-testid="day"')
    assert 'data-testid="failing-feed" data-unit="Room 2" data-name="Vrbo"' in today
    assert "the feed answered 404" in today
    assert f'data-testid="conflict" data-conflict="{conflict_id}"' in today
    assert "clashes with booking DIRECT1" in today

    channels = (await client.get("/admin/demo/channels")).text
    assert f'data-testid="conflict" data-conflict="{conflict_id}"' in channels
    assert 'data-name="Vrbo" data-state="failing"' in channels

    chart = await _calendar(client)
    assert f'data-testid="tape-imported" data-unit="Room 1" data-first="{day(3)}"' in chart
    assert 'data-channel="Airbnb"' in chart and "From Airbnb" in chart
    assert 'data-testid="tape-conflict">Conflict with Airbnb' in chart

    staff_today = (await (await signed_in(STAFF)).get("/admin/demo/")).text
    assert f'data-conflict="{conflict_id}"' in staff_today
    assert 'data-testid="resolve-conflict"' not in staff_today

    client = await signed_in(OWNER)
    done = await client.post(
        f"/admin/demo/channels/conflicts/{conflict_id}/resolve",
        data={"_csrf_token": csrf_of(today), "back": "today"},
        follow_redirects=True,
    )
    assert 'data-testid="today-notice"' in done.text
    assert f'data-conflict="{conflict_id}"' not in done.text
    assert 'data-testid="failing-feed"' in done.text  # the feed still fails
    booking = (await client.get("/admin/demo/bookings/DIRECT1")).text
    assert f"conflict #{conflict_id} with Airbnb on Room 1" in booking
    assert OWNER in booking
    # The clash is still in the feed: the next fetch does not bring the conflict back.
    await clash()
    assert conflicts(people)[0][-1] is False
    assert "Conflict with Airbnb" not in await _calendar(client)
    # Moved to other nights that still clash: open again (the owner has not seen these).
    await clash((day(1), day(2)))
    assert conflicts(people)[0][1:3] == (day(1), day(2))
    assert conflicts(people)[0][-1] is True
    people.execute("UPDATE sync_conflict SET resolved_at = now()")
    people.commit()
    again = await client.post(
        f"/admin/demo/channels/conflicts/{conflict_id}/resolve",
        data={"_csrf_token": csrf_of(today)},
    )
    assert again.status_code == 404
    assert uid


async def test_the_command_line_resolves_a_conflict(
    people: psycopg.Connection[Any],
    clash: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await clash()
    (conflict_id,) = people.execute("SELECT id FROM sync_conflict").fetchone() or (0,)
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)

    async def innkeep(*args: str) -> int:
        return await asyncio.to_thread(main, ["sync", *args, "--property", "demo"])

    assert await innkeep("status") == 1
    assert f"CONFLICT #{conflict_id}" in capsys.readouterr().out
    assert await innkeep("resolve", str(conflict_id)) == 0
    assert f"conflict #{conflict_id} with Airbnb on Room 1" in capsys.readouterr().out
    await innkeep("status")
    assert "CONFLICT" not in capsys.readouterr().out
    assert people.execute(
        "SELECT actor, action FROM console_event WHERE action = 'conflict_resolved'"
    ).fetchall() == [("command line", "conflict_resolved")]
    assert await innkeep("resolve", str(conflict_id)) == 2
    assert f"no open conflict #{conflict_id}" in capsys.readouterr().err
