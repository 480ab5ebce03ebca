"""The Channels page (owners only): export URLs copied and rotated, import feeds with their
health connected and disconnected as the property file's [[feeds]] would, webhooks with
their recent deliveries sent again. Feed URLs are credentials: never shown, never echoed."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest

from tests.console.conftest import OWNER, STAFF, csrf_of
from tests.helpers import DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

AIRBNB_URL = "https://www.airbnb.example/calendar/ical/4711.ics?s=FEEDSECRET"
HOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CONNECTED = (
    DEMO_TOML
    + f'\n[[feeds]]\nunit = "Room 1"\nname = "Airbnb"\nurl = "{AIRBNB_URL}"\n'
    + '\n[[webhooks]]\nurl = "https://hooks.example.com/catch/HOOKPATH"\n'
    + f'events = ["booking.confirmed"]\nsecret = "{HOOK_SECRET}"\n'
)


def _exports(html: str) -> dict[tuple[str, str], str]:
    """(unit, channel) → the export URL's path, as the page shows them."""
    found = re.findall(
        r'value="([^"]+)" data-testid="export-url" data-unit="([^"]+)" data-channel="([^"]*)"',
        html,
    )
    return {
        (unit, channel): url.split("://", 1)[1].split("/", 1)[1] for url, unit, channel in found
    }


async def test_an_owner_sees_every_export_and_a_rotated_url_stops_working(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    apply_property(people, parse_property(CONNECTED))
    client = await signed_in(OWNER)
    page = await client.get("/admin/demo/channels")
    assert page.status_code == 200, page.text
    exports = _exports(page.text)
    # Each unit's full calendar, and Room 1's own URL for Airbnb (without Airbnb's stays).
    assert {("Room 1", ""), ("Room 1", "Airbnb"), ("Room 2", "")} <= set(exports)
    assert [channel for (_, channel) in exports if channel] == ["Airbnb"]
    assert page.text.count('data-testid="copy-export-url"') == len(exports)
    old = "/" + exports[("Room 1", "Airbnb")]
    assert (await client.get(old)).status_code == 200
    # The feed's and the webhook's URLs are credentials: neither is on the page.
    assert "FEEDSECRET" not in page.text and "HOOKPATH" not in page.text
    assert 'data-unit="Room 1" data-name="Airbnb" data-state="waiting"' in page.text

    rotated = await client.post(
        "/admin/demo/channels/rotate",
        data={"_csrf_token": csrf_of(page.text), "unit": "Room 1", "channel": "Airbnb"},
        follow_redirects=True,
    )
    assert rotated.status_code == 200
    assert 'data-testid="channels-notice"' in rotated.text
    after = _exports(rotated.text)
    assert after[("Room 1", "Airbnb")] != exports[("Room 1", "Airbnb")]
    assert after[("Room 1", "")] == exports[("Room 1", "")]
    assert (await client.get(old)).status_code == 404
    assert (await client.get("/" + after[("Room 1", "Airbnb")])).status_code == 200
    assert "export rotated (Room 1: Airbnb&#39;s export)" in rotated.text
    missing = await client.post(
        "/admin/demo/channels/rotate",
        data={"_csrf_token": csrf_of(page.text), "unit": "Room 9", "channel": ""},
    )
    assert missing.status_code == 404


async def test_a_feed_is_connected_as_the_file_would_and_disconnected(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client = await signed_in(OWNER)
    token = csrf_of((await client.get("/admin/demo/channels")).text)
    form = {"_csrf_token": token, "unit": "Room 2", "name": "Vrbo", "interval": "15"}
    good = "https://vrbo.example/SECRET1"
    for changes, words in (
        ({"url": "ftp://vrbo.example/SECRET1"}, "url: must be the channel&#39;s iCal export"),
        ({"url": good, "interval": "2"}, "interval: Expected `int` &gt;= 5"),
        ({"url": good, "unit": "Attic"}, "unit: no unit &#39;Attic&#39;"),
        ({"url": good, "name": ""}, "name: Expected `str` of length"),
    ):
        refused = await client.post("/admin/demo/channels/feeds", data={**form, **changes})
        assert refused.status_code == 422, changes
        assert words in refused.text, refused.text
        assert "SECRET1" not in refused.text
    assert people.execute("SELECT count(*) FROM channel_feed").fetchone() == (0,)

    added = await client.post(
        "/admin/demo/channels/feeds",
        data={**form, "url": "https://vrbo.example/ical/SECRET2.ics"},
        follow_redirects=True,
    )
    assert 'data-testid="feed" data-unit="Room 2" data-name="Vrbo"' in added.text
    assert "SECRET2" not in added.text
    assert people.execute("SELECT url, interval_seconds FROM channel_feed").fetchone() == (
        "https://vrbo.example/ical/SECRET2.ics",
        900,
    )
    assert ("Room 2", "Vrbo") in _exports(added.text)
    removed = await client.post(
        "/admin/demo/channels/feeds/remove",
        data={"_csrf_token": token, "unit": "Room 2", "name": "Vrbo"},
        follow_redirects=True,
    )
    assert 'data-testid="no-feeds"' in removed.text
    assert people.execute("SELECT count(*) FROM channel_feed").fetchone() == (0,)
    assert "feed disconnected (removed feed Vrbo of unit Room 2" in removed.text


async def test_a_failing_feed_shows_its_health(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    apply_property(people, parse_property(CONNECTED))
    people.execute(
        """UPDATE channel_feed SET last_attempt_at = now(), last_status = 404, failures = 3,
           failing_since = now() - interval '2 days',
           last_error = 'the feed answered 404: the URL was probably regenerated on Airbnb'"""
    )
    page = (await (await signed_in(OWNER)).get("/admin/demo/channels")).text
    assert 'data-name="Airbnb" data-state="failing"' in page
    assert "the feed answered 404 since 2 days" in page
    assert '<td class="num">3</td>' in page


async def test_deliveries_are_listed_and_sent_again_only_on_ones_own_property(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    apply_property(people, parse_property(CONNECTED))
    people.execute(
        """INSERT INTO webhook_delivery (endpoint_id, property_id, message_id, event_type,
               booking_ref, occurred_at, data, state, attempts, next_attempt_at, give_up_at,
               failed_at, last_status, last_error)
           SELECT id, property_id, 'msg_console_1', 'booking.confirmed', 'ABC123', now(),
                  '{}', 'failed', 9, now(), now(), now(), 500, 'the endpoint answered 500'
           FROM webhook_endpoint"""
    )
    (delivery_id,) = people.execute("SELECT id FROM webhook_delivery").fetchone() or (0,)
    client = await signed_in(OWNER)
    page = await client.get("/admin/demo/channels")
    assert f'data-testid="delivery" data-delivery="{delivery_id}" data-state="failed"' in page.text
    assert "the endpoint answered 500" in page.text
    token = csrf_of(page.text)
    sent = await client.post(
        f"/admin/demo/channels/deliveries/{delivery_id}/resend",
        data={"_csrf_token": token},
        follow_redirects=True,
    )
    assert f'data-delivery="{delivery_id}" data-state="pending"' in sent.text
    # Another property's delivery is not this owner's to send (the other owner: 404 too).
    elsewhere = await client.post(
        "/admin/other/channels/deliveries/1/resend", data={"_csrf_token": token}
    )
    assert elsewhere.status_code == 404
    unknown = await client.post(
        f"/admin/demo/channels/deliveries/{delivery_id + 1}/resend", data={"_csrf_token": token}
    )
    assert unknown.status_code == 404


async def test_staff_see_no_channels_link(signed_in: Any, people: psycopg.Connection[Any]) -> None:
    owner_today = (await (await signed_in(OWNER)).get("/admin/demo/")).text
    assert 'data-testid="nav-channels"' in owner_today
    staff_today = (await (await signed_in(STAFF)).get("/admin/demo/")).text
    assert 'data-testid="nav-channels"' not in staff_today


def _endpoint(conn: psycopg.Connection[Any]) -> tuple[int, str, list[str], str, bool]:
    row = conn.execute(
        "SELECT id, url, events, secret, include_guest FROM webhook_endpoint"
        " WHERE removed_at IS NULL"
    ).fetchone()
    assert row is not None
    return row


async def test_an_owner_edits_a_webhooks_url_and_events_and_the_export_writes_them(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    from widget.properties.export import export_property

    apply_property(people, parse_property(CONNECTED))
    endpoint_id, _, _, secret, _ = _endpoint(people)
    client = await signed_in(OWNER)
    page = await client.get("/admin/demo/channels")
    assert f'action="/admin/demo/channels/webhooks/{endpoint_id}"' in page.text
    saved = await client.post(
        f"/admin/demo/channels/webhooks/{endpoint_id}",
        data={
            "_csrf_token": csrf_of(page.text),
            "url": "https://hooks.example.net/new/NEWPATH",
            "event:booking.cancelled": "1",
            "event:sync.conflict": "1",
        },
        follow_redirects=True,
    )
    assert 'data-testid="channels-notice"' in saved.text
    # The same endpoint (its secret, its deliveries) at the new URL, for the new events.
    assert _endpoint(people) == (
        endpoint_id,
        "https://hooks.example.net/new/NEWPATH",
        ["booking.cancelled", "sync.conflict"],
        secret,
        False,
    )
    assert "NEWPATH" not in saved.text and "https://hooks.example.net/…" in saved.text
    assert "webhook edited (https://hooks.example.com/… → https://hooks.example.net/…" in (
        saved.text
    )
    # The property file has the change, and applying that file changes nothing.
    exported = export_property(people, "demo")
    assert 'url = "https://hooks.example.net/new/NEWPATH"' in exported
    assert apply_property(people, parse_property(exported)).changed == []

    # Left empty, the URL stays; the guest's details may now go to it.
    page = await client.get("/admin/demo/channels")
    await client.post(
        f"/admin/demo/channels/webhooks/{endpoint_id}",
        data={
            "_csrf_token": csrf_of(page.text),
            "event:booking.confirmed": "1",
            "include_guest": "1",
        },
    )
    assert _endpoint(people)[1:] == (
        "https://hooks.example.net/new/NEWPATH",
        ["booking.confirmed"],
        secret,
        True,
    )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"url": "ftp://hooks.example.com/x", "event:sync.conflict": "1"}, "url"),
        ({"url": "https://hooks.example.com/x#frag", "event:sync.conflict": "1"}, "url"),
        ({"url": "https://hooks.example.com/ok", "include_guest": "1"}, "events"),
        ({"event:booking.exploded": "1", "event:sync.conflict": "1"}, "events"),
    ],
)
async def test_a_bad_webhook_edit_is_refused_with_the_form_kept_and_changes_nothing(
    signed_in: Any, people: psycopg.Connection[Any], form: dict[str, str], field: str
) -> None:
    apply_property(people, parse_property(CONNECTED))
    before = _endpoint(people)
    client = await signed_in(OWNER)
    page = await client.get("/admin/demo/channels")
    refused = await client.post(
        f"/admin/demo/channels/webhooks/{before[0]}",
        data={"_csrf_token": csrf_of(page.text), **form},
    )
    assert refused.status_code == 422
    assert f'data-testid="channels-error">{field}: ' in refused.text
    assert _endpoint(people) == before
    # The form is open again with what was chosen (a refused URL is never echoed).
    assert f'data-webhook="{before[0]}"' in refused.text and "<details open>" in refused.text
    chosen = r'checked data-testid="webhook-event" data-event="sync.conflict"'
    assert bool(re.search(chosen, refused.text)) == ("event:sync.conflict" in form)
    # booking.confirmed is the stored choice: the refused form shows what was sent instead.
    stored = r'checked data-testid="webhook-event" data-event="booking.confirmed"'
    assert not re.search(stored, refused.text)
    guest = r'checked data-testid="webhook-guest"'
    assert bool(re.search(guest, refused.text)) == ("include_guest" in form)
    if "url" in form:
        assert form["url"] not in refused.text


async def test_a_webhook_edit_is_the_owners_of_its_own_property_only(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    apply_property(people, parse_property(CONNECTED))
    before = _endpoint(people)
    # Another property's webhook, and a second one of this property's.
    (elsewhere,) = people.execute(
        """INSERT INTO webhook_endpoint (property_id, url, events, secret)
           SELECT id, 'https://hooks.example.org/other', '{booking.confirmed}', %s
           FROM property WHERE slug = 'other' RETURNING id""",
        (HOOK_SECRET,),
    ).fetchone() or (0,)
    people.execute(
        """INSERT INTO webhook_endpoint (property_id, url, events, secret)
           SELECT property_id, 'https://hooks.example.org/second', events, secret
           FROM webhook_endpoint WHERE id = %s""",
        (before[0],),
    )

    def endpoint(endpoint_id: int) -> Any:
        return people.execute(
            "SELECT url, events FROM webhook_endpoint WHERE id = %s", (endpoint_id,)
        ).fetchone()

    client = await signed_in(OWNER)
    token = csrf_of((await client.get("/admin/demo/channels")).text)
    edit = {"_csrf_token": token, "event:sync.conflict": "1"}
    # Another property's webhook, or one that does not exist: 404, nothing changed.
    for number in (elsewhere, before[0] + 99):
        answer = await client.post(f"/admin/demo/channels/webhooks/{number}", data=edit)
        assert answer.status_code == 404
    assert endpoint(elsewhere) == ("https://hooks.example.org/other", ["booking.confirmed"])
    # Two webhooks of a property may not share a URL.
    clash = await client.post(
        f"/admin/demo/channels/webhooks/{before[0]}",
        data={**edit, "url": "https://hooks.example.org/second"},
    )
    assert clash.status_code == 422 and "another webhook already has this URL" in clash.text
    assert endpoint(before[0]) == (before[1], before[2])
