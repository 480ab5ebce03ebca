"""A unit's iCal export as the owner's other channels read it: bookings and blocks as
all-day events, never holds, never guest data, fresh the moment a booking commits, cheap to
ask again, and gone when its token is rotated."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import icalendar
import psycopg
import pytest
import vobject

from tests.helpers import DEMO_TOML, write
from tests.payments.conftest import GUEST, hold_room
from tests.payments.test_manage_booking import cancel, manage_link
from tests.sync.conftest import PUBLIC_URL, export_path
from widget.app import services_of
from widget.cli import main
from widget.inventory.blocks import add_block
from widget.settings import Settings
from widget.state import Services


def events(body: bytes) -> list[tuple[date, date, str]]:
    """The feed's events as (check-in, check-out, summary), read by two independent parsers
    that must agree; both must parse the whole feed cleanly."""
    by_icalendar = [
        (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    ]
    parsed = vobject.readOne(body.decode())
    by_vobject = [
        (e.dtstart.value, e.dtend.value, e.summary.value)
        for e in getattr(parsed, "vevent_list", [])
    ]
    assert by_icalendar == by_vobject
    for first, end, _ in by_icalendar:  # all-day: dates, not instants
        assert type(first) is date and type(end) is date
    return by_icalendar


async def eventually(ask: Any, done: Any, seconds: float = 3.0) -> Any:
    """The answer once ``done`` holds: other workers hear of a commit through Postgres's
    notification, which takes a moment to arrive."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = await ask()
        if done(answer) or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.02)


async def book_through_the_api(api: Any) -> dict[str, Any]:
    stay = {"room_type": "garden-single", "check_in": "2027-09-06", "check_out": "2027-09-08"}
    hold = await api.post("/api/v1/properties/demo/holds", json={**stay, "adults": 1})
    assert hold.status_code == 201, hold.text
    held = hold.json()
    headers = {"X-Hold-Token": held["token"]}
    checkout = await api.post(f"/api/v1/holds/{held['id']}/checkout", json=GUEST, headers=headers)
    assert checkout.status_code == 200, checkout.text
    confirm = await api.post(f"/api/v1/holds/{held['id']}/confirm", headers=headers)
    assert confirm.status_code == 200, confirm.text
    return dict(confirm.json())


async def test_a_booking_appears_at_once_without_guest_data_and_leaves_when_cancelled(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    room6 = export_path(demo_property, quiet_settings, "Room 6")
    before = await api.get(room6)
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/calendar")
    assert events(before.content) == []

    booked = await book_through_the_api(api)
    after = await eventually(lambda: api.get(room6), lambda r: events(r.content))
    assert events(after.content) == [(date(2027, 9, 6), date(2027, 9, 8), "Booked")]
    feed = icalendar.Calendar.from_ical(after.content)
    assert str(feed["x-wr-timezone"]) == "Europe/Rome" and "Innkeep" in str(feed["prodid"])
    event = feed.walk("VEVENT")[0]
    assert event["dtstamp"] and event["last-modified"] and event["uid"]
    text = after.text.lower()
    for secret in (GUEST["guest"]["name"], GUEST["guest"]["email"], booked["reference"]):
        assert str(secret).lower() not in text
    # Another unit's export does not list it.
    assert (
        events((await api.get(export_path(demo_property, quiet_settings, "Room 1"))).content) == []
    )

    path, secret = manage_link(demo_property)
    assert (await cancel(api, path, secret)).status_code == 200
    gone = await eventually(lambda: api.get(room6), lambda r: not events(r.content))
    assert events(gone.content) == []


async def test_blocks_are_exported_and_holds_never(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    hold_room(demo_property, "Room 1", "2027-06-01", "2027-06-04")
    add_block(demo_property, "demo", "Room 1", date(2027, 6, 10), date(2027, 6, 11), "painting")
    answer = await api.get(export_path(demo_property, quiet_settings, "Room 1"))
    assert events(answer.content) == [(date(2027, 6, 10), date(2027, 6, 12), "Blocked")]
    assert "painting" not in answer.text


async def test_etag_answers_304_until_the_feed_itself_changes(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    room1 = export_path(demo_property, quiet_settings, "Room 1")
    add_block(demo_property, "demo", "Room 1", date(2027, 6, 10), date(2027, 6, 11), "painting")
    first = await eventually(lambda: api.get(room1), lambda r: events(r.content))
    etag = first.headers["etag"]
    assert (await api.get(room1, headers={"If-None-Match": etag})).status_code == 304
    assert (await api.get(room1, headers={"If-None-Match": f'"x", W/{etag}'})).status_code == 304

    # A hold (or anything else that does not change this feed) keeps it not modified.
    hold_room(demo_property, "Room 1", "2027-07-01", "2027-07-03")
    add_block(demo_property, "demo", "Room 2", date(2027, 6, 10), date(2027, 6, 11), "painting")
    room2 = export_path(demo_property, quiet_settings, "Room 2")
    await eventually(lambda: api.get(room2), lambda r: events(r.content))  # the change is heard
    assert (await api.get(room1, headers={"If-None-Match": etag})).status_code == 304

    add_block(demo_property, "demo", "Room 1", date(2027, 8, 1), date(2027, 8, 1), "floors")
    changed = await eventually(
        lambda: api.get(room1, headers={"If-None-Match": etag}), lambda r: r.status_code == 200
    )
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(events(changed.content)) == 2


@pytest.mark.parametrize(
    "path", ["/ical/guess.ics", "/ical/", "/ical/.ics", "/ical/" + "A" * 43, "/ical/%00.ics"]
)
async def test_a_wrong_token_is_a_404_that_says_nothing_more(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings, path: str
) -> None:
    export_path(demo_property, quiet_settings, "Room 1")
    answer = await api.get(path)
    assert answer.status_code == 404
    assert "Room" not in answer.text and "demo" not in answer.text


async def _services(api: Any) -> Services:
    return services_of(api.app)


async def test_an_unchanged_feed_costs_no_query_and_a_change_costs_one(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings, monkeypatch: Any
) -> None:
    services = await _services(api)
    await eventually(lambda: asyncio.sleep(0, services.freshness.listening), bool)
    room1 = export_path(demo_property, quiet_settings, "Room 1")
    # A feed changed in the last two seconds is read once more when it settles (its
    # Last-Modified); this one's last change, the property file, is older.
    demo_property.execute("UPDATE property SET updated_at = now() - interval '1 minute'")
    connections = 0
    real = services.pool.connection

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal connections
        connections += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(services.pool, "connection", counted)
    first = await api.get(room1)
    assert first.status_code == 200 and connections == 2  # the token and versions; the stays
    connections = 0
    for _ in range(5):
        assert (await api.get(room1)).content == first.content
    assert connections == 0

    # Another unit's booking moves the property's inventory version: the worker hears the
    # change itself (its versions move on without a read), and reads the stays once.
    add_block(demo_property, "demo", "Room 2", date(2027, 6, 10), date(2027, 6, 11), "painting")
    again = await eventually(lambda: api.get(room1), lambda _: connections > 0)
    assert again.headers["etag"] == first.headers["etag"]
    assert connections == 1  # the stays


async def test_sync_urls_prints_each_units_urls_and_rotate_replaces_one_at_once(
    api: Any,
    demo_property: psycopg.Connection[Any],
    quiet_settings: Settings,
    database_url: str,
    monkeypatch: Any,
    capsys: Any,
) -> None:
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("INNKEEP_PUBLIC_URL", PUBLIC_URL)
    # The URLs derive from the server's secret key: without one, nothing is printed.
    assert main(["sync", "urls", "--property", "demo"]) == 2
    assert "INNKEEP_SECRET_KEY" in capsys.readouterr().err
    monkeypatch.setenv("INNKEEP_SECRET_KEY", quiet_settings.secret_key)
    assert main(["sync", "urls", "--property", "demo"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 6 and all(f" {PUBLIC_URL}/ical/" in line for line in listed)
    assert listed[0].startswith("Room 1") and "full feed" in listed[0]
    assert main(["sync", "urls", "--property", "demo"]) == 0
    assert capsys.readouterr().out.splitlines() == listed  # the same URLs, printed again
    old = listed[0].split()[-1].removeprefix(PUBLIC_URL)
    assert (await api.get(old)).status_code == 200

    assert main(["sync", "rotate", "--property", "demo", "--unit", "Room 1"]) == 0
    new = capsys.readouterr().out.splitlines()[-1].removeprefix(PUBLIC_URL)
    assert new != old
    assert (
        await eventually(lambda: api.get(old), lambda r: r.status_code == 404)
    ).status_code == 404
    assert (await api.get(new)).status_code == 200
    assert main(["sync", "urls", "--property", "demo"]) == 0
    now = capsys.readouterr().out.splitlines()
    assert now[0].endswith(new) and now[1:] == listed[1:]  # only Room 1's URL changed

    assert main(["sync", "rotate", "--property", "demo", "--unit", "Room 9"]) == 2
    assert "Room 9" in capsys.readouterr().err


async def test_property_apply_shows_each_new_export_once_and_a_removed_unit_is_a_404(
    api: Any,
    quiet_settings: Settings,
    demo_property: psycopg.Connection[Any],
    database_url: str,
    tmp_path: Any,
    monkeypatch: Any,
    capsys: Any,
) -> None:
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("INNKEEP_PUBLIC_URL", PUBLIC_URL)
    path = write(tmp_path, DEMO_TOML)
    assert main(["property", "apply", str(path)]) == 0
    assert "no iCal export URLs were made" in capsys.readouterr().err  # no secret key yet
    monkeypatch.setenv("INNKEEP_SECRET_KEY", quiet_settings.secret_key)
    assert main(["property", "apply", str(path)]) == 0
    shown = [line for line in capsys.readouterr().out.splitlines() if "/ical/" in line]
    assert len(shown) == 6 and shown[4].startswith("Suite 5")
    assert main(["property", "apply", str(path)]) == 0
    assert "/ical/" not in capsys.readouterr().out  # shown once; `sync urls` shows them again
    suite5 = shown[4].split()[-1].removeprefix(PUBLIC_URL)
    assert (await api.get(suite5)).status_code == 200

    without = DEMO_TOML.replace('units = ["Suite 4", "Suite 5"]', 'units = ["Suite 4"]')
    assert without != DEMO_TOML
    assert main(["property", "apply", str(write(tmp_path, without))]) == 0
    gone = await eventually(lambda: api.get(suite5), lambda r: r.status_code == 404)
    assert gone.status_code == 404


async def test_last_modified_is_never_shared_by_two_versions_of_the_feed(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    """HTTP dates have whole seconds: a client that read the feed between two changes made
    in the same second must not be told, by If-Modified-Since, that it has the second."""
    room1 = export_path(demo_property, quiet_settings, "Room 1")
    add_block(demo_property, "demo", "Room 1", date(2027, 6, 1), date(2027, 6, 1), "x")
    first = await eventually(lambda: api.get(room1), lambda r: len(events(r.content)) == 1)
    now = format_datetime(datetime.now(UTC).replace(microsecond=0), usegmt=True)
    since = {"If-Modified-Since": first.headers.get("last-modified", now)}
    add_block(demo_property, "demo", "Room 1", date(2027, 7, 1), date(2027, 7, 1), "y")
    await eventually(lambda: api.get(room1), lambda r: len(events(r.content)) == 2)
    second = await api.get(room1, headers=since)
    assert second.status_code == 200 and len(events(second.content)) == 2

    # Once the change has settled, the feed names it, and a client holding it gets a 304.
    settled = await eventually(lambda: api.get(room1), lambda r: "last-modified" in r.headers, 10)
    modified = settled.headers["last-modified"]
    assert (await api.get(room1, headers={"If-Modified-Since": modified})).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
    assert (await api.get(room1, headers={"If-Modified-Since": earlier})).status_code == 200
