"""The Prices & rules page over HTTP: forms, draft edits, live preview, saving."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from tests.console.conftest import OWNER, Ran, csrf_of
from tests.helpers import DEMO_TOML, set_clock
from widget.properties.file import parse_property

ROME = ZoneInfo("Europe/Rome")
DEMO_RULES = len(parse_property(DEMO_TOML).rules)


def _inputs(html: str) -> dict[str, list[str]]:
    """What a browser would post from the page's rules form, as drawn (no button)."""
    start = html.index('id="rules-form"')
    form = html[start : html.index("</form>", start)]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>(?:[^<]*</textarea>)?", form, re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None:
            continue
        key = name.group(1)
        if tag.startswith("<select"):
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        if tag.startswith("<textarea"):
            value = re.sub(r"^<textarea[^>]*>|</textarea>$", "", tag)
        else:
            found = re.search(r'value="([^"]*)"', tag)
            value = found.group(1) if found else ""
        data.setdefault(key, []).append(_unescape(value))
    # Each <select>'s chosen option.
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = [_unescape(chosen.group(1)) if chosen else ""]
    return data


def _unescape(text: str) -> str:
    return (
        text.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


async def _rules_page(signed_in: Any) -> tuple[Any, str]:
    client = await signed_in(OWNER)
    answer = await client.get("/admin/demo/rules")
    assert answer.status_code == 200, answer.text
    return client, answer.text


def _price(html: str, day: str) -> int:
    found = re.search(rf'data-date="{day}" data-amount="(\d+)"', html)
    assert found is not None, f"no preview night {day}"
    return int(found.group(1))


async def test_the_page_shows_every_rule_as_a_form_and_the_preview(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 9, 0, tzinfo=ROME))
    _, html = await _rules_page(signed_in)
    assert html.count('data-testid="rule"') == DEMO_RULES
    assert 'name="r1.seasons.0.first" value="2026-06-20"' in html
    assert html.count('data-testid="preview-night"') == 60
    assert _price(html, "2027-06-22") > _price(html, "2027-06-15")  # summer from 20 June


async def test_posting_the_page_unchanged_saves_nothing(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    saved = await client.post(
        "/admin/demo/rules", data={**data, "action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    row = people.execute("SELECT count(*) FROM rule_change").fetchone()
    assert row is not None and row[0] == 0


async def test_a_draft_changes_the_preview_and_takes_effect_only_when_saved(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 9, 0, tzinfo=ROME))
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    before = _price(html, "2027-06-22")
    data["r1.percent"] = ["60"]
    partial = await client.post("/admin/demo/rules", data=data, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<section id="preview"')
    assert _price(partial.text, "2027-06-22") > before
    # Not saved: the widget's calendar still sells the old price.
    calendar = await client.get(
        "/api/v1/properties/demo/calendar?start=2027-06-22&end=2027-06-23&adults=2"
    )
    sold = calendar.json()["room_types"][0]["nights"][0]["price"]["amount"]
    assert sold == before
    saved = await client.post(
        "/admin/demo/rules", data={**data, "action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/demo/rules?saved=true"
    calendar = await client.get(
        "/api/v1/properties/demo/calendar?start=2027-06-22&end=2027-06-23&adults=2"
    )
    assert calendar.json()["room_types"][0]["nights"][0]["price"]["amount"] > before
    page = await client.get(saved.headers["location"])
    assert 'data-testid="rules-saved"' in page.text
    assert f"{OWNER} · changed summer: percent 30 → 60" in page.text


async def test_a_rule_saved_in_the_console_is_in_the_exported_file(
    signed_in: Any,
    people: psycopg.Connection[Any],
    command: Callable[..., Ran],
    tmp_path: Path,
) -> None:
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    assert data["r1.percent"] == ["30"]
    data["r1.percent"] = ["60"]
    data["r1.seasons.0.last"] = ["2026-09-12"]
    saved = await client.post(
        "/admin/demo/rules", data={**data, "action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    path = tmp_path / "demo.toml"
    written = command("property", "export", "demo", "-o", str(path))
    assert written.returncode == 0, written.stderr
    summer = tomllib.loads(path.read_text(encoding="utf-8"))["rules"][1]
    assert summer["percent"] == 60
    assert summer["seasons"][0]["last"] == date(2026, 9, 12)
    # The file is the property as the console left it: applying it changes nothing.
    again = command("property", "apply", str(path))
    assert again.returncode == 0, again.stderr
    assert "already up to date" in again.stdout
    page = await client.get("/admin/demo/rules")
    shown = _inputs(page.text)
    assert shown.pop("based_on") != data.pop("based_on")  # the version the save made
    assert shown == data


async def test_why_this_night_lists_the_rules_that_made_the_price(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 9, 0, tzinfo=ROME))
    client, html = await _rules_page(signed_in)
    answer = await client.post(
        "/admin/demo/rules", data={**_inputs(html), "action": "preview", "night": "2027-06-22"}
    )
    assert answer.status_code == 200
    why = answer.text[answer.text.index('data-testid="why-this-night"') :]
    rules = re.findall(r'data-testid="why-line" data-rule="([^"]+)"', why)
    assert rules[:2] == ["base_rate", "summer"]


async def test_add_move_and_remove_rules_in_the_draft(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    added = await client.post(
        "/admin/demo/rules", data={**data, "action": "add", "new_type": "day_of_week"}
    )
    assert added.text.count('data-testid="rule"') == DEMO_RULES + 1
    types = re.findall(r'data-testid="rule" data-type="([^"]+)"', added.text)
    assert types[-1] == "day_of_week"
    # The new rule needs its days: the problem is named at its field, nothing is saved.
    assert 'data-testid="rules-problem"' in added.text
    moved = await client.post("/admin/demo/rules", data={**data, "action": "up-1"})
    types = re.findall(r'data-testid="rule" data-type="([^"]+)"', moved.text)
    assert types[:2] == ["seasonal", "base_rate"]
    removed = await client.post("/admin/demo/rules", data={**data, "action": "remove-2"})
    names = re.findall(r'name="r\d+.name" value="([^"]*)"', removed.text)
    assert "christmas" not in names and "summer" in names
    row = people.execute("SELECT count(*) FROM rule_change").fetchone()
    assert row is not None and row[0] == 0


async def test_a_bad_value_is_refused_with_the_files_message_at_its_field(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client, html = await _rules_page(signed_in)
    data = {**_inputs(html), "action": "save"}
    data["r1.percent"] = ["lots"]
    refused = await client.post("/admin/demo/rules", data=data)
    assert refused.status_code == 422
    assert "expected a number, got &#39;lots&#39;" in refused.text
    assert 'id="r1.percent" name="r1.percent" value="lots"' in refused.text
    assert 'aria-invalid="true" aria-describedby="r1.percent-problem"' in refused.text


async def test_a_draft_started_before_someone_elses_save_is_refused(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    first = {**data, "action": "save", "r1.percent": ["31"]}
    assert (
        await client.post("/admin/demo/rules", data=first, follow_redirects=False)
    ).status_code == 303
    second = {**data, "action": "save", "r1.percent": ["32"]}
    refused = await client.post("/admin/demo/rules", data=second)
    assert refused.status_code == 409
    assert 'data-testid="rules-refused"' in refused.text
    assert csrf_of(refused.text)


async def test_a_night_outside_the_preview_or_a_flood_of_rules_is_refused_calmly(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    client, html = await _rules_page(signed_in)
    data = _inputs(html)
    far = await client.post(
        "/admin/demo/rules", data={**data, "action": "preview", "night": "9999-12-31"}
    )
    assert far.status_code == 200
    assert 'data-testid="why-this-night"' not in far.text
    flood = {**data, **{f"r{i}.type": ["base_rate"] for i in range(100, 201)}}
    refused = await client.post("/admin/demo/rules", data=flood)
    assert refused.status_code == 422
    assert "at most 100 rules" in refused.text


async def test_why_this_night_speaks_the_owners_language(
    signed_in: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 9, 0, tzinfo=ROME))
    client, html = await _rules_page(signed_in)
    account = await client.get("/admin/account")
    chosen = await client.post(
        "/admin/account/language",
        data={"language": "it", "_csrf_token": csrf_of(account.text)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    answer = await client.post(
        "/admin/demo/rules", data={**_inputs(html), "action": "preview", "night": "2027-06-22"}
    )
    why = answer.text[answer.text.index('data-testid="why-this-night"') :]
    # The night is explained under the non-refundable plan (the calendar's price): its line
    # and the stay's lines read as the owner's quotes do, in Italian.
    assert "<td>-10%: tariffa Non rimborsabile</td>" in why
    assert "pulizia, una volta per soggiorno" in why
    assert "IVA 10% inclusa" in why and "VAT" not in why
