"""The console's words: every language says everything English says, with the same
placeholders, and each user reads the console in the language they chose."""

from __future__ import annotations

import string
from typing import Any

import psycopg
import pytest

from tests.console.conftest import STAFF, csrf_of, enter
from widget.i18n import CONSOLE_CATALOGUE, LANGUAGES, console_messages
from widget.reports.figures import FIGURES, LEAD_BANDS


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_everything_with_the_same_placeholders(language: str) -> None:
    english, other = CONSOLE_CATALOGUE["en"], CONSOLE_CATALOGUE[language]
    assert set(other) == set(english)
    for key, sentence in other.items():
        assert _placeholders(sentence) == _placeholders(english[key]), key
        assert sentence.strip(), key


#: The Reports page's words that name or explain its figures: each figure's name and
#: definition, each lead-time band and the bookings made here ("direct").
REPORT_WORDS = (
    [f"report_{figure}" for figure in FIGURES]
    + [f"report_{figure}_means" for figure in FIGURES]
    + [f"report_lead_{band}" for band in LEAD_BANDS]
    + ["report_direct"]
)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_report_figure_and_band_is_said_in_every_language(language: str) -> None:
    """A figure or band added to the report without its words in every language fails
    here; an English sentence copied into another language is no translation either (the
    acronyms ADR and RevPAR may stay as they are)."""
    english, other = CONSOLE_CATALOGUE["en"], CONSOLE_CATALOGUE[language]
    missing = [key for key in REPORT_WORDS if key not in english or key not in other]
    assert not missing
    untranslated = [
        key
        for key in REPORT_WORDS
        if other[key] == english[key] and english[key] not in ("ADR", "RevPAR")
    ]
    assert not untranslated


def test_an_unknown_language_reads_english() -> None:
    assert console_messages("xx")["sign_in"] == "Sign in"


async def test_each_user_reads_the_console_in_their_language(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    account = await app_client.get("/admin/account")
    assert "Arrivals" in (await app_client.get("/admin/demo/")).text
    chosen = await app_client.post(
        "/admin/account/language",
        data={"language": "de", "_csrf_token": csrf_of(account.text)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    today = (await app_client.get("/admin/demo/")).text
    assert '<html lang="de">' in today and "Anreisen" in today
