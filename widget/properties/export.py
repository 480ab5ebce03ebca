"""A property's current state written back as its TOML file (``innkeep property export``).

What the console changed is in the database, so the file an owner keeps can fall behind;
the export writes the file again from the rows. Applying the exported file changes nothing
(`widget.properties.apply`), and exporting twice gives the same text. Money is written in
major units, as owners write it; rule settings in the form their type declares; secrets
only as references (`widget.properties.secrets`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import psycopg
from psycopg.rows import dict_row

from engine import rule_types, to_major
from widget.i18n import LANGUAGES
from widget.properties.fields import SettingField, settings_fields
from widget.properties.file import DEFAULT_ROOMS_PER_BOOKING, CancellationPolicy, FeedSpec
from widget.properties.plans import ExtraSpec, RatePlanSpec
from widget.properties.secrets import reference
from widget.properties.toml_out import inline_table, toml_key, toml_string, value
from widget.properties.webhooks import WebhookSpec
from widget.sql import queries

Row = dict[str, Any]
#: Writes one more part of the file (a section another part of Innkeep keeps), given the
#: property's row and the connection.
SectionWriter = Callable[[psycopg.Connection[Any], Row], list[str]]


class PropertyNotFound(LookupError):
    """No property has that slug."""


def export_property(conn: psycopg.Connection[Any], slug: str) -> str:
    """The property file of ``slug`` as the database has it now."""
    q = queries("properties")
    with conn.cursor(row_factory=dict_row) as cur:
        prop = cur.execute(q["property_for_export"], {"slug": slug}).fetchone()
        if prop is None:
            raise PropertyNotFound(f"no property is called {slug!r}")
        rooms = cur.execute(q["room_types_for_export"], {"property_id": prop["id"]}).fetchall()
    lines = _header(prop) + _property(prop)
    for room in rooms:
        lines += _room_type(room, prop["currency"])
    for table in prop["pricing_rules"] or []:
        lines += rule_table(table)
    for write in SECTIONS:
        lines += write(conn, prop)
    return "\n".join(lines).rstrip("\n") + "\n"


def _header(prop: Row) -> list[str]:
    return [
        f"# The property as stored, written by `innkeep property export {prop['slug']}`.",
        "# `innkeep property apply` takes it back; applied unchanged, it changes nothing.",
        '# Secrets appear only as references ({ kept = "sha256:…" }): see docs/operations.md.',
    ]


def _key_lines(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{toml_key(key)} = {literal}" for key, literal in pairs]


def _property(prop: Row) -> list[str]:
    policy = msgspec.convert(prop["cancellation_policy"], CancellationPolicy)
    return [
        "",
        "[property]",
        *_key_lines(
            [
                ("slug", toml_string(prop["slug"])),
                ("name", toml_string(prop["name"])),
                ("contact_email", toml_string(prop["contact_email"])),
                ("time_zone", toml_string(prop["time_zone"])),
                ("currency", toml_string(prop["currency"])),
                ("locale", toml_string(prop["locale"])),
                ("allowed_origins", value(list(prop["allowed_origins"]))),
                ("check_in_time", toml_string(prop["check_in_time"])),
                ("check_out_time", toml_string(prop["check_out_time"])),
                ("booking_horizon_days", str(prop["booking_horizon_days"])),
                *(  # written only when not the default, as the owner most likely left it
                    [("max_rooms_per_booking", str(prop["max_rooms_per_booking"]))]
                    if prop["max_rooms_per_booking"] != DEFAULT_ROOMS_PER_BOOKING
                    else []
                ),
                *(
                    [("guest_retention_years", str(prop["guest_retention_years"]))]
                    if prop["guest_retention_years"] is not None
                    else []
                ),
            ]
        ),
        "",
        "[property.cancellation_policy]",
        *_key_lines(
            [
                ("free_until_days", str(policy.free_until_days)),
                ("refund_percent", str(policy.refund_percent)),
            ]
        ),
        "",
        "[property.hold_quota]",
        f"share_percent = {prop['hold_share_percent']}",
    ]


def _room_type(room: Row, currency: str) -> list[str]:
    photos = [
        {"url": photo["url"], **({"alt": photo["alt"]} if photo.get("alt") else {})}
        for photo in room["photos"]
    ]
    pairs = [
        ("slug", toml_string(room["slug"])),
        ("name", toml_string(room["name"])),
    ]
    if room["descriptions"]:
        texts: dict[str, Any] = {
            lang: room["descriptions"][lang] for lang in LANGUAGES if lang in room["descriptions"]
        }
        pairs.append(("description", inline_table(texts, {})))
    elif room["description"]:
        pairs.append(("description", toml_string(room["description"])))
    pairs += [
        ("max_guests", str(room["max_guests"])),
        ("included_guests", str(room["included_guests"])),
        ("base_price", str(to_major(room["base_price"], currency))),
        ("units", value(list(room["units"]))),
    ]
    if photos:
        pairs.append(("photos", "[" + ", ".join(inline_table(p, {}) for p in photos) + "]"))
    return ["", "[[room_types]]", *_key_lines(pairs)]


_RESERVED = ("type", "name", "room_types")


def rule_table(table: dict[str, Any]) -> list[str]:
    """One ``[[rules]]`` table: type, name and room types first, then the settings in the
    order the rule type declares them (a type not installed here keeps the stored order)."""
    known = rule_types().get(str(table.get("type")))
    fields: dict[str, SettingField] = (
        {f.key: f for f in settings_fields(known.rule_type.Settings)} if known else {}
    )
    settings = [key for key in fields if key in table]
    settings += [key for key in table if key not in fields and key not in _RESERVED]
    keys = [key for key in _RESERVED if key in table] + settings
    return [
        "",
        "[[rules]]",
        *(f"{toml_key(key)} = {value(table[key], fields.get(key))}" for key in keys),
    ]


def _tables(
    header: str, rows: list[dict[str, Any]], spec: type[Any], money: dict[str, str]
) -> list[str]:
    """``[[header]]`` tables of rows stored through the Struct ``spec`` (keys in its order,
    None left out); the ``money`` keys (key → currency) written back in major units."""
    fields = {f.key: f for f in settings_fields(spec)}
    lines: list[str] = []
    for row in rows:
        table = {
            key: to_major(item, money[key]) if key in money and item is not None else item
            for key, item in row.items()
        }
        keys = [k for k in fields if table.get(k) is not None]
        keys += [k for k in table if k not in fields and table[k] is not None]
        lines += ["", f"[[{header}]]"]
        lines += [
            f"{toml_key(key)} = {value(table[key], fields.get(key), typed=True)}" for key in keys
        ]
    return lines


def _rate_plans_and_extras(conn: psycopg.Connection[Any], prop: Row) -> list[str]:
    """``[[rate_plans]]`` and ``[[extras]]`` as stored (money in minor units there)."""
    currency = prop["currency"]
    return _tables(
        "rate_plans", list(prop["rate_plans"] or []), RatePlanSpec, {"amount": currency}
    ) + _tables("extras", list(prop["extras"] or []), ExtraSpec, {"price": currency})


def _webhooks(conn: psycopg.Connection[Any], prop: Row) -> list[str]:
    """``[[webhooks]]``, each secret written as a reference to the stored one."""
    rows = conn.execute(
        queries("webhooks")["endpoints_of_property"], {"property_id": prop["id"]}
    ).fetchall()
    hooks = [
        {
            "url": url,
            "events": list(events),
            "secret": reference(secret),
            "include_guest": include_guest,
        }
        for _, url, events, secret, include_guest in rows
    ]
    return _tables("webhooks", hooks, WebhookSpec, {})


def _feeds(conn: psycopg.Connection[Any], prop: Row) -> list[str]:
    """``[[feeds]]``, each URL (the channel's only credential) written as a reference."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            queries("properties")["feeds_for_export"], {"property_id": prop["id"]}
        ).fetchall()
    feeds = [
        {
            "unit": row["unit"],
            "name": row["name"],
            "url": reference(row["url"]),
            "interval": row["interval_seconds"] // 60,
        }
        for row in rows
    ]
    return _tables("feeds", feeds, FeedSpec, {})


#: The parts of the file other parts of Innkeep keep, each written after the rules. A
#: part that holds secrets writes `secrets.reference`s, never the secret.
SECTIONS: tuple[SectionWriter, ...] = (_rate_plans_and_extras, _webhooks, _feeds)
