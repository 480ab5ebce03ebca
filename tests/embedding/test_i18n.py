"""The widget's sentences exist in every language, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from widget.i18n import CATALOGUE, LANGUAGES, messages, text


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_everything_english_says(language: str) -> None:
    english, other = CATALOGUE["en"], CATALOGUE[language]
    assert set(other) == set(english)
    for key, sentence in english.items():
        assert _placeholders(other[key]) == _placeholders(sentence), key
        assert other[key].strip(), key


def test_a_sentence_is_filled_in() -> None:
    assert text("de", "sleeps", n=4) == "Für bis zu 4 Personen"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert messages("xx")["book_now"] == "Book now"
