"""A draft rule list: previewed through the engine as the calendar is, saved with its history."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

from engine import Party
from tests.helpers import set_clock
from widget.errors import Invalid, RulesChangedMeanwhile
from widget.inventory.availability import calendar
from widget.inventory.catalogue import read_catalogue
from widget.rulebook.changes import rule_history, save_rules, summarise
from widget.rulebook.draft import read_rulebook
from widget.rulebook.preview import preview_nights, why_this_night

ROME = ZoneInfo("Europe/Rome")
TODAY = date(2027, 6, 10)  # the summer season (from 20 June) starts inside the 60 nights
SUMMER_NIGHT = date(2027, 6, 22)


@pytest.fixture
async def conn(
    demo_property: psycopg.Connection[Any], database_url: str
) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
    set_clock(demo_property, datetime(2027, 6, 10, 9, 0, tzinfo=ROME))
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row
    ) as connection:
        yield connection


def _summer(rules: list[dict[str, Any]], percent: int) -> list[dict[str, Any]]:
    draft = copy.deepcopy(rules)
    next(rule for rule in draft if rule.get("name") == "summer")["percent"] = percent
    return draft


async def test_the_preview_of_the_stored_rules_is_the_calendar(conn: Any) -> None:
    book = await read_rulebook(conn, "demo")
    assert book.today == TODAY
    party = Party(adults=2, children=(5,))
    shown = await preview_nights(conn, book, book.rules, "family-suite", party)
    catalogue = await read_catalogue(conn, "demo")
    sold = await calendar(conn, catalogue, TODAY, TODAY + timedelta(days=60), party, TODAY)
    assert len(shown) == 60
    assert shown == next(r.nights for r in sold.room_types if r.slug == "family-suite")


async def test_a_draft_changes_the_preview_and_not_the_prices_sold(conn: Any) -> None:
    book = await read_rulebook(conn, "demo")
    party = Party(adults=2)
    before = await preview_nights(conn, book, book.rules, "double-sea-view", party)
    after = await preview_nights(conn, book, _summer(book.rules, 60), "double-sea-view", party)
    changed = [a.date for a, b in zip(after, before, strict=True) if a.price != b.price]
    assert changed and min(changed) == date(2027, 6, 20)
    assert all(day >= date(2027, 6, 20) for day in changed)
    assert (await read_rulebook(conn, "demo")).rules == book.rules


async def test_why_this_night_adds_up_to_the_preview_price(conn: Any) -> None:
    book = await read_rulebook(conn, "demo")
    party = Party(adults=2)
    draft = _summer(book.rules, 60)
    nights = await preview_nights(conn, book, draft, "double-sea-view", party)
    for night in nights[::7] + [n for n in nights if n.date == SUMMER_NIGHT]:
        quote = await why_this_night(conn, book, draft, "double-sea-view", party, night.date)
        assert night.price is not None
        assert quote.nights[0].amount == night.price.amount
        assert sum(line.amount for line in quote.nights[0].lines) == night.price.amount
    quote = await why_this_night(conn, book, draft, "double-sea-view", party, SUMMER_NIGHT)
    assert "summer" in [line.rule for line in quote.nights[0].lines]


async def test_saving_records_who_changed_what_and_tells_the_calendar(conn: Any) -> None:
    book = await read_rulebook(conn, "demo")
    version = (await read_catalogue(conn, "demo")).version
    change = await save_rules(
        conn,
        book,
        _summer(book.rules, 25),
        changed_by="owner@example.com",
        based_on=book.fingerprint,
    )
    assert change is not None
    assert change.summary == "changed summer: percent 30 → 25"
    assert change.changed_by == "owner@example.com"
    catalogue = await read_catalogue(conn, "demo")
    assert catalogue.version == version + 1
    summer = next(rule for rule in catalogue.rules if rule.name == "summer")
    assert str(summer.rule.settings.percent) == "25"
    history = await rule_history(conn, book.property_id)
    assert [h.summary for h in history] == ["changed summer: percent 30 → 25"]


async def test_a_stale_draft_or_a_bad_one_changes_nothing(conn: Any) -> None:
    book = await read_rulebook(conn, "demo")
    await save_rules(
        conn, book, _summer(book.rules, 25), changed_by="a@example.com", based_on=book.fingerprint
    )
    with pytest.raises(RulesChangedMeanwhile):
        await save_rules(
            conn,
            book,
            _summer(book.rules, 35),
            changed_by="b@example.com",
            based_on=book.fingerprint,
        )
    fresh = await read_rulebook(conn, "demo")
    bad = _summer(fresh.rules, 25)
    bad[1]["percent"] = "lots"
    with pytest.raises(Invalid) as raised:
        await save_rules(conn, fresh, bad, changed_by="a@example.com", based_on=fresh.fingerprint)
    assert raised.value.field == "rules[1].percent"
    assert "expected a number, got 'lots'" in str(raised.value)
    assert (
        await save_rules(
            conn, fresh, fresh.rules, changed_by="a@example.com", based_on=fresh.fingerprint
        )
        is None
    )
    assert len(await rule_history(conn, book.property_id)) == 1


def test_the_summary_names_added_removed_changed_and_moved_rules() -> None:
    a, b, c = (
        {"type": "base_rate"},
        {"type": "gap_night", "percent": 20},
        {"type": "vat", "percent": 10},
    )
    assert summarise([a, b], [a, b]) == "no change"
    assert summarise([a, b], [a, c]) == "added vat; removed gap_night"
    assert summarise([a, b, c], [a, c, b]) == "new order: base_rate, vat, gap_night"
