"""A stay line's words per language: a rule gives ``notes`` beside its English ``note``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import msgspec
import pytest

from engine import (
    Bill,
    Charge,
    NightRule,
    Nights,
    NoSettings,
    StayLine,
    StayRule,
    quote_from_builtins,
    quote_from_json,
    quote_hash,
    quote_to_json,
)
from engine.testing import price
from widget.i18n import LANGUAGES

STAY = {"check_in": "2026-03-02", "check_out": "2026-03-04"}


class Towels(StayRule[NoSettings]):
    """A fee that says what it is in English only, as rules did before ``notes``."""

    name = "towels"
    stage = "fee"
    Settings = NoSettings

    def price(self, bill: Bill) -> Iterable[Charge]:
        return [Charge(500, "fresh towels")]


class Linen(StayRule[NoSettings]):
    """A fee in three languages, given out of order."""

    name = "linen"
    stage = "fee"
    Settings = NoSettings
    words: ClassVar[dict[str, str]] = {"it": "biancheria", "en": "linen", "de": "Bettwäsche"}

    def price(self, bill: Bill) -> Iterable[Charge]:
        return [Charge(700, "linen", notes=self.words)]


def _linen(words: dict[str, str]) -> type[Linen]:
    return type("Linen2", (Linen,), {"words": words})


def test_a_charge_with_notes_gives_its_line_the_words_per_language() -> None:
    quote = price(rules=[{"type": "linen"}], rule_types=[Linen], **STAY)
    (line,) = quote.stay_lines
    assert line.notes == {"de": "Bettwäsche", "en": "linen", "it": "biancheria"}
    assert list(line.notes) == ["de", "en", "it"]  # sorted: one canonical JSON
    assert line.note_in("it") == "biancheria" and line.note_in("fr") == "linen"
    data = msgspec.json.decode(quote_to_json(quote))
    assert data["stay_lines"][0]["notes"]["it"] == "biancheria"
    assert quote_from_json(quote_to_json(quote)) == quote


def test_the_hash_covers_the_notes() -> None:
    one = price(rules=[{"type": "linen"}], rule_types=[Linen], **STAY)
    other_words = _linen({"it": "lenzuola", "en": "linen", "de": "Bettwäsche"})
    two = price(rules=[{"type": "linen"}], rule_types=[other_words], **STAY)
    assert one.total == two.total and one.quote_hash != two.quote_hash
    # a JSONB column hands the languages back in its own order: same quote, same hash
    builtins = msgspec.to_builtins(one)
    builtins["stay_lines"][0]["notes"] = dict(reversed(builtins["stay_lines"][0]["notes"].items()))
    again = quote_from_builtins(builtins)
    assert quote_hash(again) == one.quote_hash and quote_to_json(again) == quote_to_json(one)


class EnglishBaseRate(NightRule[NoSettings]):
    """The base rate as it was before night rules gave words per language: English only."""

    name = "base_rate"
    stage = "base"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        base = nights.context.room_type.base_price
        nights.amounts[:] = [base] * len(nights)
        for i in range(len(nights)):
            nights.note(i, f"base price of double: EUR {base / 100:.2f}")


#: What a quote with an English-only fee was before ``notes`` existed (hash from main).
OLD_HASH = "972e82c8ac2d2e8973ad6baf137456e685853ed7525459e24850977fd6daf2b8"


def test_a_quote_without_notes_is_byte_for_byte_what_it_was() -> None:
    # The base rate as it spoke then (the built-in one now gives its words per language).
    rule_types = [Towels, EnglishBaseRate]
    quote = price(rules=[{"type": "towels"}], rule_types=rule_types, **STAY)
    stored = quote_to_json(quote)
    assert b"notes" not in stored
    assert quote.quote_hash == OLD_HASH
    decoded = quote_from_json(stored)
    assert decoded.stay_lines[0].notes is msgspec.UNSET
    assert decoded.stay_lines[0].note_in("it") == "fresh towels"
    assert quote_hash(decoded) == OLD_HASH and quote_to_json(decoded) == stored
    # an empty mapping is no words at all, not a different quote
    empty = msgspec.structs.replace(quote.stay_lines[0], notes={})
    assert msgspec.json.encode(empty) == msgspec.json.encode(quote.stay_lines[0])


def test_notes_that_are_not_text_fail_the_rule() -> None:
    from engine import RuleFailed

    broken = _linen({"it": 3})  # type: ignore[dict-item]
    with pytest.raises(RuleFailed, match="notes that are not text"):
        price(rules=[{"type": "linen"}], rule_types=[broken], **STAY)


PROMO_AMOUNT = {"type": "promo_code", "code": "TEN", "amount": "10.00"}


@pytest.mark.parametrize(
    ("rule", "stay", "italian"),
    [
        (
            {"type": "pets", "amount": "10.00"},
            {"inputs": {"pets": 2}},
            "2 animali × 10,00\xa0€ a notte",
        ),
        ({"type": "cleaning_fee", "amount": "30.00"}, {}, "pulizia, una volta per soggiorno"),
        (
            {"type": "length_of_stay", "tiers": [{"min_nights": 2, "percent": "12.5"}]},
            {},
            "12,5% di sconto per soggiorni da 2 notti",
        ),
        (PROMO_AMOUNT, {"promo_code": "TEN"}, "codice promozionale TEN: 10,00\xa0€ di sconto"),
        (
            {"type": "promo_code", "code": "TEN", "percent": "10"},
            {"promo_code": "TEN"},
            "codice promozionale TEN: 10% di sconto",
        ),
        (
            {"type": "vat", "percent": "10", "applies_to": ["rooms"], "inclusive": False},
            {},
            "IVA 10%",
        ),
        (
            {"type": "vat", "percent": "10", "applies_to": ["rooms"], "inclusive": True},
            {},
            "IVA 10% inclusa",
        ),
        (
            {"type": "city_tax", "per": "person_night", "amount": "2.50"},
            {},
            "2 ospiti × 2 notti × 2,50\xa0€",
        ),
        (
            {"type": "city_tax", "per": "percent", "percent": "5"},
            {},
            "5% del prezzo della camera",
        ),
    ],
)
def test_the_built_in_rules_speak_the_widgets_five_languages(
    rule: dict[str, Any], stay: dict[str, Any], italian: str
) -> None:
    quote = price(rules=[rule], **STAY, **stay)
    line: StayLine = quote.stay_lines[-1]
    assert isinstance(line.notes, dict) and sorted(line.notes) == sorted(LANGUAGES)
    assert line.note_in("it") == italian


def test_cached_words_are_the_callers_own_and_say_exactly_what_was_given() -> None:
    from engine import words_in

    templates = {"en": "{n} × {price}", "it": "{n} × {price}"}
    first = words_in(templates, "EUR", money={"price": 1000}, n=1)
    first["it"] = "changed by the caller"
    again = words_in(templates, "EUR", money={"price": 1000}, n=1)
    assert again == {"en": "1 × €10.00", "it": "1 × 10,00\xa0€"}
    # equal keys that are not the same words: 1 and True
    assert words_in(templates, "EUR", money={"price": 1000}, n=True)["en"] == "True × €10.00"
    # a value that cannot be a cache key is worded all the same
    assert words_in({"en": "{n}"}, "EUR", n=[1, 2]) == {"en": "[1, 2]"}


@pytest.mark.parametrize(
    ("stay", "english", "german"),
    [
        (
            {"check_out": "2026-03-03", "adults": 1},
            "1 guest × 1 night × EUR 2.50",
            "1 Gast × 1 Nacht × 2,50\xa0€",
        ),
        (
            {"adults": 3},
            "3 guests × 2 nights × EUR 2.50",
            "3 Gäste × 2 Nächte × 2,50\xa0€",
        ),
    ],
)
def test_the_city_tax_counts_guests_and_nights_in_words_not_brackets(
    stay: dict[str, Any], english: str, german: str
) -> None:
    rule = {"type": "city_tax", "per": "person_night", "amount": "2.50"}
    line: StayLine = price(rules=[rule], **{**STAY, **stay}).stay_lines[-1]
    assert (line.note, line.note_in("de")) == (english, german)


def test_one_extra_guest_is_one_adult_in_the_english_note() -> None:
    rule = {"type": "extra_guests", "amount": "30"}
    quote = price(rules=[rule], adults=3, **STAY)  # two guests included
    assert quote.nights[0].lines[-1].note == "1 extra adult × EUR 30.00 above 2 included guests"
