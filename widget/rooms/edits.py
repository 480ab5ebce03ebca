"""Changing a property from the console the way its owner would change the file: the
current state is exported (`widget.properties.export`), the change is made to that table,
and the result is checked and applied exactly as ``innkeep property apply`` does. So the
console takes nothing the file would refuse (with the file's own messages), and what it
changes is in the next ``innkeep property export``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg

from widget.errors import Invalid, NotFound
from widget.i18n import LANGUAGES
from widget.properties.apply import ApplyReport, apply_property
from widget.properties.errors import PropertyApplyError
from widget.properties.export import PropertyNotFound, export_property
from widget.properties.file import PropertyFileError, property_from_table
from widget.sql import queries

#: Changes the property file's table (as TOML reads it) in place.
Change = Callable[[dict[str, Any]], None]


def edit_property(database_url: str, slug: str, change: Change) -> ApplyReport:
    """Apply ``change`` to ``slug``'s property file, in one transaction that holds the
    property's row, so two owners saving at once never undo each other. `Invalid` names
    the key at fault (its last part, as the console's form names its field)."""
    with psycopg.connect(database_url, prepare_threshold=None) as conn, conn.transaction():
        if conn.execute(queries("rooms")["lock_property"], {"slug": slug}).fetchone() is None:
            raise NotFound("No such property.")
        try:
            raw = tomllib.loads(export_property(conn, slug), parse_float=Decimal)
            _keep_feeds(conn, slug, raw)
            change(raw)
            spec = property_from_table(raw, source=slug)
            return apply_property(conn, spec)
        except PropertyNotFound:
            raise NotFound("No such property.") from None
        except PropertyFileError as wrong:
            raise Invalid(f"{wrong.key}: {wrong.message}", field=_field(wrong.key)) from None
        except PropertyApplyError as refused:
            raise Invalid(str(refused), field="units") from None


def _keep_feeds(conn: psycopg.Connection[Any], slug: str, raw: dict[str, Any]) -> None:
    """An export that does not write ``[[feeds]]`` would, applied, disconnect every iCal
    feed: the console's edit puts the connected ones back (in memory only: their URLs are
    credentials and never leave this process)."""
    if "feeds" in raw:
        return
    rows = conn.execute(queries("rooms")["connected_feeds"], {"slug": slug}).fetchall()
    if rows:
        raw["feeds"] = [
            {"unit": unit, "name": name, "url": url, "interval": int(interval)}
            for unit, name, url, interval in rows
        ]


def _field(key: str) -> str:
    """``room_types[1].units[2]`` → ``units``: the form's field for a file key."""
    last = key.split(" (")[0].rsplit(".", 1)[-1]
    return last.split("[", 1)[0] or "room_type"


# ------------------------------------------------------------------ what a form changes


def number(text: str) -> int | str | None:
    """A whole number as typed (None when left empty); anything else stays text, for the
    file's check to name."""
    stripped = text.strip()
    if not stripped:
        return None
    return int(stripped) if stripped.isdigit() else stripped


def amount(text: str) -> Decimal | str:
    """An amount in major units as typed (``140`` or ``140.50``); else text, as above."""
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return text.strip()


def descriptions(form: Mapping[str, str], locale: str) -> str | dict[str, str]:
    """The ``description_{lang}`` fields as the file writes them: one text when only the
    property's own language is written, else a table by language."""
    texts: dict[str, str] = {
        lang: form.get(f"description_{lang}", "").strip()
        for lang in LANGUAGES
        if form.get(f"description_{lang}", "").strip()
    }
    if set(texts) <= {locale}:
        return texts.get(locale, "")
    return texts


def units(text: str) -> list[str]:
    """One unit a line, as typed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _room(raw: dict[str, Any], slug: str) -> dict[str, Any]:
    for room in raw.get("room_types", []):
        if room.get("slug") == slug:
            found: dict[str, Any] = room
            return found
    raise NotFound("No such room type.", field="room_type")


def room_fields(form: Mapping[str, str], locale: str) -> dict[str, Any]:
    """A room type's keys from its form (the keys the file has, with the file's names)."""
    return {
        "name": form.get("name", "").strip(),
        "description": descriptions(form, locale),
        "max_guests": number(form.get("max_guests", "")),
        "included_guests": number(form.get("included_guests", "")),
        "base_price": amount(form.get("base_price", "")),
        "units": units(form.get("units", "")),
    }


def change_room(slug: str, form: Mapping[str, str]) -> Change:
    """Set room type ``slug``'s name, descriptions, guests, price and units."""

    def change(raw: dict[str, Any]) -> None:
        fields = room_fields(form, str(raw["property"].get("locale", "en")))
        _room(raw, slug).update(fields)

    return change


def add_room(form: Mapping[str, str]) -> Change:
    """Add a room type (at the end of the list) with its first units."""

    def change(raw: dict[str, Any]) -> None:
        fields = room_fields(form, str(raw["property"].get("locale", "en")))
        raw.setdefault("room_types", []).append({"slug": form.get("slug", "").strip(), **fields})

    return change


def remove_room(slug: str) -> Change:
    """Take room type ``slug`` out of the file (refused while stays lie ahead of it)."""

    def change(raw: dict[str, Any]) -> None:
        raw["room_types"].remove(_room(raw, slug))

    return change


def set_origins(origins: list[str]) -> Change:
    """The sites that may show the widget (``property.allowed_origins``)."""

    def change(raw: dict[str, Any]) -> None:
        raw["property"]["allowed_origins"] = origins

    return change
