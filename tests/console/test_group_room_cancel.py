"""Cancelling one room of a booking of several from the console: the room, its unit and the
refund its own plan's policy gives are shown first; the POST cancels that room alone
(refunded once, however often it is pressed), fenced by the booking's version; a room that
cannot go alone (the first, one already cancelled, one of a group whose change of dates is
unpaid) is refused on the page, with nothing changed."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from tests.console.conftest import OWNER, STAFF, csrf_of, enter
from tests.console.test_date_changes import _form
from tests.console.test_group_bookings import dates_preview, open_people  # noqa: F401
from tests.console.test_group_dates_money import euros, units
from tests.payments.test_group_readers import cancel_room, refunded
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_room_groups import book_group, group_on


def statuses(conn: psycopg.Connection[Any]) -> list[str]:
    """Each room's status, in the guest's order."""
    rows = conn.execute("SELECT status::text FROM reservation ORDER BY group_position").fetchall()
    return [row[0] for row in rows]


def version_of(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None, "the page has no form with the booking's version"
    return found[1]


async def preview(client: Any, reference: str, room: int) -> Any:
    return await client.get(f"/admin/demo/bookings/{reference}/cancel-room", params={"room": room})


async def press(client: Any, reference: str, room: int, page: str) -> Any:
    """The preview's button: the room, the version the page read, its CSRF token."""
    return await client.post(
        f"/admin/demo/bookings/{reference}/cancel-room",
        data={"room": str(room), "version": version_of(page), "_csrf_token": csrf_of(page)},
        follow_redirects=False,
    )


async def test_staff_cancel_one_room_shown_first_and_refunded_once(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    # Two months ahead: the flexible plan cancels free, the non-refundable gives nothing.
    hold, done = await book_group(app_client, group_on("flexible", "flexible", "non-refundable"))
    reference = str(done["reference"])
    _double, suite, single = (q["due_now"] for q in hold["quotes"])
    double_unit, suite_unit, single_unit = units(open_people)
    enter(app_client, open_people, STAFF)
    page = (await app_client.get(f"/admin/demo/bookings/{reference}")).text
    # Every room that may go alone has its link; the first carries the booking.
    assert re.findall(r'data-testid="cancel-room" data-room="(\d+)"', page) == ["1", "2"]
    rooms = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel-room")).text
    assert re.findall(r'data-testid="cancel-room" data-room="(\d+)"', rooms) == ["1", "2"]
    shown = await preview(app_client, reference, 1)
    assert shown.status_code == 200, shown.text
    what = shown.text.split('data-testid="cancel-room-what"', 1)[1].split("</p>", 1)[0]
    assert f"Room 2, Family suite in {suite_unit}" in what
    assert f"gives back {euros(suite)} of the {euros(suite)} paid" in what
    nothing_back = (await preview(app_client, reference, 2)).text
    assert f"gives back {euros(0)} of the {euros(single)} paid" in nothing_back
    assert statuses(open_people) == ["confirmed"] * 3 and refunded(open_people) == 0
    for _ in range(2):  # the same click again changes nothing more
        answer = await press(app_client, reference, 1, shown.text)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].endswith("?done=room_cancelled")
    assert statuses(open_people) == ["confirmed", "cancelled", "confirmed"]
    assert refunded(open_people) == suite
    history = open_people.execute("SELECT actor, action, detail FROM console_event").fetchall()
    detail = f"room 2, Family suite ({suite_unit}): refund {euros(suite)} (policy)"
    assert history == [(STAFF, "room_cancelled_at_desk", detail)]  # once, by whom
    mails = open_people.execute(
        "SELECT kind FROM outbox_message WHERE kind LIKE '%room_cancellation' ORDER BY kind"
    ).fetchall()
    assert mails == [("guest_room_cancellation",), ("owner_room_cancellation",)]
    after = (await app_client.get(answer.headers["location"])).text
    assert 'data-testid="action-done"' in after and "The room is cancelled" in after
    assert re.findall(r'data-testid="cancel-room" data-room="(\d+)"', after) == ["2"]
    assert 'data-action="room_cancelled_at_desk"' in after and f"({STAFF})" in after
    assert double_unit in after and single_unit in after


async def test_the_first_room_and_a_cancelled_one_are_refused_on_the_page(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    _, done = await book_group(app_client, group_on("flexible", "flexible"))
    reference = str(done["reference"])
    path, secret = manage_link(open_people)
    assert (await cancel_room(app_client, path, secret, 1)).status_code == 200
    enter(app_client, open_people, OWNER)
    # A page with the booking's version: the whole booking's cancel preview.
    page = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    first = await preview(app_client, reference, 0)
    assert first.status_code == 409
    assert 'data-testid="action-error"' in first.text and "first room" in first.text
    assert 'data-testid="confirm-cancel-room"' not in first.text
    gone = await preview(app_client, reference, 1)
    assert gone.status_code == 409 and "cancelled already" in gone.text
    refused = await press(app_client, reference, 0, page)
    assert refused.status_code == 409
    assert 'data-testid="action-error"' in refused.text and "first room" in refused.text
    assert statuses(open_people) == ["confirmed", "cancelled"]
    noted = "SELECT count(*) FROM console_event WHERE actor <> 'guest'"
    assert open_people.execute(noted).fetchone() == (0,)


async def test_a_page_read_before_the_booking_changed_is_refused(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    _, done = await book_group(app_client, group_on("flexible", "flexible", "flexible"))
    reference = str(done["reference"])
    enter(app_client, open_people, OWNER)
    shown = await preview(app_client, reference, 1)
    assert shown.status_code == 200
    # Meanwhile the guest cancels another room on their manage page.
    path, secret = manage_link(open_people)
    assert (await cancel_room(app_client, path, secret, 2)).status_code == 200
    before = refunded(open_people)
    stale = await press(app_client, reference, 1, shown.text)
    assert stale.status_code == 409
    assert 'data-error="stale"' in stale.text
    assert statuses(open_people) == ["confirmed", "confirmed", "cancelled"]
    assert refunded(open_people) == before


async def test_a_room_of_a_group_whose_new_dates_are_unpaid_is_refused(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    # Paid in full with no card kept: a longer stay leaves the difference to a link.
    _, done = await book_group(app_client, group_on("non-refundable", "non-refundable"))
    reference = str(done["reference"])
    enter(app_client, open_people, OWNER)
    longer = await dates_preview(app_client, reference, "2027-03-15", "2027-03-19")
    assert 'data-settlement="link"' in longer.text
    changed = await app_client.post(
        f"/admin/demo/bookings/{reference}/dates", data=_form(longer.text), follow_redirects=False
    )
    assert changed.status_code == 303, changed.text
    refused = await preview(app_client, reference, 1)
    assert refused.status_code == 409
    assert "still to be paid" in refused.text
    assert 'data-testid="confirm-cancel-room"' not in refused.text
    page = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    answer = await press(app_client, reference, 1, page)
    assert answer.status_code == 409 and "still to be paid" in answer.text
    assert statuses(open_people) == ["confirmed", "confirmed"]
