"""The console's words: each translated sentence keeps English's placeholders; a missing
one shows in English (this test lists what each language still lacks, without failing)."""

from __future__ import annotations

import string

import pytest

from widget.i18n import CONSOLE_CATALOGUE, LANGUAGES, console_messages


def _placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    english, other = CONSOLE_CATALOGUE["en"], CONSOLE_CATALOGUE[language]
    assert set(other) <= set(english), "a sentence English does not have"
    for key, sentence in other.items():
        assert _placeholders(sentence) == _placeholders(english[key]), key
        assert sentence.strip(), key


def test_an_untranslated_sentence_shows_in_english() -> None:
    assert console_messages("xx")["sign_in"] == "Sign in"
    assert set(console_messages("de")) == set(CONSOLE_CATALOGUE["en"])
