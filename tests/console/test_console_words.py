"""The console's words: every language says everything English says, with the same
placeholders, and each user reads the console in the language they chose."""

from __future__ import annotations

import string
from typing import Any

import psycopg
import pytest

from tests.console.conftest import STAFF, csrf_of, enter
from widget.i18n import CONSOLE_CATALOGUE, LANGUAGES, console_messages


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_everything_with_the_same_placeholders(language: str) -> None:
    english, other = CONSOLE_CATALOGUE["en"], CONSOLE_CATALOGUE[language]
    assert set(other) == set(english)
    for key, sentence in other.items():
        assert _placeholders(sentence) == _placeholders(english[key]), key
        assert sentence.strip(), key


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
