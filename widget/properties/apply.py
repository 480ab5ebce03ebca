"""Create or update a property from its `PropertySpec`, idempotently, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from widget.properties.endpoints import apply_webhooks
from widget.properties.errors import PropertyApplyError
from widget.properties.file import (
    FeedSpec,
    PropertySpec,
    RoomTypeSpec,
    clock,
    feed_url_problem,
    normalise_origin,
)
from widget.properties.plans import stored
from widget.properties.rule_history import record_file_change
from widget.properties.secrets import SecretProblem, resolve
from widget.sql import queries


@dataclass
class ApplyReport:
    slug: str
    created: bool = False
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.created:
            return f"created property {self.slug!r}: " + "; ".join(self.changed)
        if not self.changed:
            return f"property {self.slug!r} is already up to date"
        return f"updated property {self.slug!r}: " + "; ".join(self.changed)


def apply_property(conn: psycopg.Connection[Any], spec: PropertySpec) -> ApplyReport:
    """Make the database say what ``spec`` says. Runs in its own transaction; on any error
    nothing is changed."""
    q = queries("properties")
    info = spec.property
    report = ApplyReport(info.slug)
    with conn.transaction():
        rules_before = conn.execute(q["rules_for_update"], {"slug": info.slug}).fetchone()
        row = conn.execute(q["upsert_property"], _property_row(spec)).fetchone()
        if row is not None:
            report.created = bool(row[1])
            if not report.created:
                report.changed.append("property details")
        found = conn.execute(q["property_id_by_slug"], {"slug": info.slug}).fetchone()
        assert found is not None
        property_id = found[0]
        if rules_before is not None:  # an existing property: its rule history goes on
            record_file_change(conn, property_id, list(rules_before[0] or []), _stored_rules(spec))

        _disconnect_feeds(conn, property_id, spec, report)
        _retire(conn, property_id, spec, report)
        for position, room in enumerate(spec.room_types):
            _apply_room_type(conn, property_id, room, position, info.locale, report)
        for index, feed in enumerate(spec.feeds):
            _apply_feed(conn, property_id, feed, index, report)
        if report.changed and not report.created and row is None:
            conn.execute(q["bump_version"], {"property_id": property_id})
        # After the bump: webhooks change no price or availability answer.
        report.changed.extend(apply_webhooks(conn, property_id, spec.webhooks))
    return report


def _property_row(spec: PropertySpec) -> dict[str, Any]:
    """The property's own row, as ``upsert_property`` takes it."""
    info = spec.property
    return {
        "slug": info.slug,
        "name": info.name,
        "contact_email": info.contact_email,
        "time_zone": info.time_zone,
        "currency": info.currency,
        "locale": info.locale,
        "allowed_origins": [normalise_origin(o) for o in info.allowed_origins],
        "check_in_time": clock(info.check_in_time),
        "check_out_time": clock(info.check_out_time),
        "cancellation_policy": Jsonb(
            {
                "free_until_days": info.cancellation_policy.free_until_days,
                "refund_percent": info.cancellation_policy.refund_percent,
            }
        ),
        "pricing_rules": Jsonb(_stored_rules(spec)),
        "booking_horizon_days": info.booking_horizon_days,
        "hold_share_percent": info.hold_quota.share_percent,
        "max_rooms_per_booking": info.max_rooms_per_booking,
        "guest_retention_years": info.guest_retention_years,
        "rate_plans": Jsonb(stored(spec.rate_plans)),
        "extras": Jsonb(stored(spec.extras)),
    }


def _apply_room_type(
    conn: psycopg.Connection[Any],
    property_id: int,
    room: RoomTypeSpec,
    position: int,
    locale: str,
    report: ApplyReport,
) -> None:
    """Add or update one room type and its units, noting each change in ``report``."""
    q = queries("properties")
    description, descriptions = room.descriptions(locale)
    changed = conn.execute(
        q["upsert_room_type"],
        {
            "property_id": property_id,
            "slug": room.slug,
            "name": room.name,
            "description": description,
            "descriptions": Jsonb(descriptions),
            "photos": Jsonb([{"url": p.url, "alt": p.alt} for p in room.photos]),
            "max_guests": room.max_guests,
            "included_guests": room.guests_in_base_price,
            "base_price": room.base_price,
            "position": position,
        },
    ).fetchone()
    if changed is not None:
        report.changed.append(f"{'added' if changed[1] else 'updated'} room type {room.slug}")
    room_row = conn.execute(
        q["room_type_id"], {"property_id": property_id, "slug": room.slug}
    ).fetchone()
    assert room_row is not None
    for unit_position, unit in enumerate(room.units):
        unit_changed = conn.execute(
            q["upsert_unit"],
            {
                "property_id": property_id,
                "room_type_id": room_row[0],
                "name": unit,
                "position": unit_position,
            },
        ).fetchone()
        if unit_changed is not None:
            report.changed.append(f"{'added' if unit_changed[1] else 'updated'} unit {unit}")


def _feed_url(conn: psycopg.Connection[Any], property_id: int, feed: FeedSpec, index: int) -> str:
    """The feed's URL after the apply: the file's, else the stored one (a reference to it,
    or the key left out). Refusals name the key, never a URL (it is a credential)."""
    where = f"feeds[{index}].url ({feed.unit} · {feed.name})"
    row = conn.execute(
        queries("properties")["stored_feed_url"],
        {"property_id": property_id, "unit": feed.unit, "name": feed.name},
    ).fetchone()
    try:
        url = resolve(feed.url, row[0] if row is not None else None)
    except SecretProblem as refused:
        raise PropertyApplyError(f"{where}: {refused}") from None
    if url is None:
        raise PropertyApplyError(f"{where}: a new feed needs its URL")
    problem = feed_url_problem(url)
    if problem:
        raise PropertyApplyError(f"{where}: {problem}")
    return url.strip()


def _apply_feed(
    conn: psycopg.Connection[Any],
    property_id: int,
    feed: FeedSpec,
    index: int,
    report: ApplyReport,
) -> None:
    """Connect ``feed``'s channel to its unit, or update its URL and interval. A new URL is
    fetched afresh (no validators of the old one) and at once."""
    q = queries("properties")
    params = {
        "property_id": property_id,
        "unit": feed.unit,
        "name": feed.name,
        "url": _feed_url(conn, property_id, feed, index),
        "interval_seconds": feed.interval * 60,
    }
    channel = conn.execute(q["upsert_channel"], params).fetchone()
    assert channel is not None  # the file's check made sure the unit exists
    row = conn.execute(q["upsert_channel_feed"], {**params, "channel_id": channel[0]}).fetchone()
    if row is not None:
        report.changed.append(
            f"{'added' if row[0] else 'updated'} feed {feed.name} of unit {feed.unit}"
        )


def connect_feed(conn: psycopg.Connection[Any], slug: str, feed: FeedSpec) -> ApplyReport:
    """Connect one feed to its unit, or give a connected one its new URL and interval, as a
    ``[[feeds]]`` entry added to the property file and applied would (the console's
    Channels page). The caller has checked ``feed`` as the file's check does."""
    q = queries("properties")
    report = ApplyReport(slug)
    with conn.transaction():
        found = conn.execute(q["property_id_by_slug"], {"slug": slug}).fetchone()
        if found is None:
            raise PropertyApplyError(f"no property is called {slug!r}")
        _apply_feed(conn, found[0], feed, 0, report)
        if report.changed:
            conn.execute(q["bump_version"], {"property_id": found[0]})
    return report


def disconnect_feed(conn: psycopg.Connection[Any], slug: str, unit: str, name: str) -> str:
    """Stop importing one feed and release the nights it blocked, as removing its
    ``[[feeds]]`` entry and applying the file would; says what changed."""
    q = queries("properties")
    with conn.transaction():
        found = conn.execute(q["property_id_by_slug"], {"slug": slug}).fetchone()
        row = (
            conn.execute(
                q["stored_feed_url"], {"property_id": found[0], "unit": unit, "name": name}
            ).fetchone()
            if found is not None
            else None
        )
        if found is None or row is None:
            raise PropertyApplyError(f"unit {unit!r} has no feed called {name!r}")
        released = conn.execute(q["release_imported_stays"], {"channel_id": row[1]}).rowcount
        conn.execute(q["disconnect_feed"], {"channel_id": row[1]})
        conn.execute(q["bump_version"], {"property_id": found[0]})
    return f"removed feed {name} of unit {unit} ({released} imported stays released)"


def _disconnect_feeds(
    conn: psycopg.Connection[Any], property_id: int, spec: PropertySpec, report: ApplyReport
) -> None:
    """Stop importing the feeds the file no longer lists and release the nights they
    blocked. The channel stays (its own export URL keeps working), without a feed."""
    q = queries("properties")
    keep = [f"{feed.unit}\n{feed.name}" for feed in spec.feeds]
    for channel_id, unit, name in conn.execute(
        q["feeds_to_disconnect"], {"property_id": property_id, "keep": keep}
    ).fetchall():
        released = conn.execute(q["release_imported_stays"], {"channel_id": channel_id}).rowcount
        conn.execute(q["disconnect_feed"], {"channel_id": channel_id})
        report.changed.append(
            f"removed feed {name} of unit {unit} ({released} imported stays released)"
        )


def _retire(
    conn: psycopg.Connection[Any], property_id: int, spec: PropertySpec, report: ApplyReport
) -> None:
    """Retire units and room types the file no longer lists, unless stays lie ahead of them."""
    q = queries("properties")
    keep_units = [unit for room in spec.room_types for unit in room.units]
    keep_rooms = [room.slug for room in spec.room_types]
    units = conn.execute(
        q["units_to_retire"], {"property_id": property_id, "keep": keep_units}
    ).fetchall()
    rooms = conn.execute(
        q["room_types_to_retire"], {"property_id": property_id, "keep": keep_rooms}
    ).fetchall()
    busy = [f"unit {name!r} ({n} upcoming)" for name, n in units if n] + [
        f"room type {slug!r} ({n} upcoming)" for slug, n in rooms if n
    ]
    if busy:
        raise PropertyApplyError(
            "refusing to remove what still has reservations ahead: "
            + ", ".join(busy)
            + "; keep it in the file until those stays are over or cancelled"
        )
    if units:
        conn.execute(
            q["retire_units"], {"property_id": property_id, "names": [name for name, _ in units]}
        )
        report.changed.extend(f"removed unit {name}" for name, _ in units)
    if rooms:
        conn.execute(
            q["retire_room_types"], {"property_id": property_id, "slugs": [s for s, _ in rooms]}
        )
        report.changed.extend(f"removed room type {slug}" for slug, _ in rooms)


def _stored_rules(spec: PropertySpec) -> list[dict[str, Any]]:
    """The rules as the property row stores them (JSON's types)."""
    rules: list[dict[str, Any]] = list(_jsonable(spec.rules))  # type: ignore[call-overload]
    return rules


def _jsonable(value: object) -> object:
    """TOML gives Decimals and dates; JSON columns keep them as strings, losslessly."""
    import msgspec

    return msgspec.to_builtins(value)
