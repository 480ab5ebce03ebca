"""A night rule's words per language: ``nights.note(i, text, words)`` beside the English."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
import pytest

from engine import NightLine, NightRule, Nights, NoSettings, RuleFailed, quote_to_json
from engine.testing import price
from widget.i18n import LANGUAGES

STAY = {"check_in": "2026-07-03", "check_out": "2026-07-05", "today": "2026-06-30"}


class Surcharge(NightRule[NoSettings]):
    """+5.00 a night, said in English only, as night rules did before words existed."""

    name = "surcharge"
    stage = "adjust"
    Settings = NoSettings
    words: ClassVar[dict[str, str] | None] = None

    def price(self, nights: Nights) -> None:
        for i in range(len(nights)):
            nights.amounts[i] += 500
            nights.note(i, "+EUR 5.00 a night", self.words)


def _surcharge(words: dict[str, Any]) -> type[Surcharge]:
    return type("Surcharge2", (Surcharge,), {"words": words})


def _line(rules: list[dict[str, Any]], rule: str, **stay: Any) -> NightLine:
    quote = price(rules=rules, **{**STAY, **stay})
    return next(line for night in quote.nights for line in night.lines if line.rule == rule)


def test_a_rule_that_gives_only_english_works_as_before() -> None:
    line = _line([{"type": "surcharge"}], "surcharge", rule_types=[Surcharge])
    assert line.amount == 500 and line.notes is msgspec.UNSET
    assert line.note_in("it") == "+EUR 5.00 a night"
    assert b'"rule":"surcharge","stage":"adjust","amount":500,"note":"+EUR 5.00 a night"}' in (
        quote_to_json(price(rules=[{"type": "surcharge"}], rule_types=[Surcharge], **STAY))
    )


def test_a_rules_words_are_kept_sorted_and_shown_per_language() -> None:
    words = {"it": "+5,00 € a notte", "en": "+€5.00 a night", "de": "+5,00 € pro Nacht"}
    rule = _surcharge(words)
    line = _line([{"type": "surcharge"}], "surcharge", rule_types=[rule])
    assert list(line.notes) == ["de", "en", "it"]  # one canonical JSON whatever the order
    assert line.note_in("it") == "+5,00 € a notte" and line.note_in("fr") == "+EUR 5.00 a night"


def test_words_that_are_not_text_fail_the_rule() -> None:
    rule = _surcharge({"it": 5})
    with pytest.raises(RuleFailed, match="notes that are not text"):
        price(rules=[{"type": "surcharge"}], rule_types=[rule], **STAY)


SEASON = [{"first": "2026-06-15", "last": "2026-09-15", "yearly": True}]


@pytest.mark.parametrize(
    ("rules", "rule", "stay", "italian", "german"),
    [
        ([], "base_rate", {}, "prezzo base: 100,00\xa0€", "Grundpreis: 100,00\xa0€"),
        (
            [{"type": "seasonal", "percent": "25", "seasons": SEASON}],
            "seasonal",
            {},
            "+25% (15 giu–15 set ogni anno)",
            "+25 % (15. Juni–15. Sept. jährlich)",
        ),
        (
            [{"type": "seasonal", "price": "150.00", "seasons": SEASON}],
            "seasonal",
            {},
            "150,00\xa0€ a notte (15 giu–15 set ogni anno)",
            "150,00\xa0€ pro Nacht (15. Juni–15. Sept. jährlich)",
        ),
        (
            [{"type": "day_of_week", "days": ["fri", "sat"], "amount": "15.00"}],
            "day_of_week",
            {},
            "+15,00\xa0€ le notti di venerdì, sabato",
            "+15,00\xa0€ für Nächte am Freitag, Samstag",
        ),
        (
            [{"type": "occupancy", "tiers": [{"from_percent": "50", "percent": "12.5"}]}],
            "occupancy",
            {"units": 4, "units_sold": [3, 3]},
            "3 camere occupate su 4 (da 50%): +12,5%",
            "3 von 4 Zimmern belegt (ab 50 %): +12,5 %",
        ),
        (
            [{"type": "lead_time", "steps": [{"days": 0, "percent": "-15"}]}],
            "lead_time",
            {},
            "-15%, prenotato 3 giorni prima",
            "-15 %, 3 Tage im Voraus gebucht",
        ),
        (
            [{"type": "gap_night", "percent": "20"}],
            "gap_night",
            {"free_gap": [1, None]},
            "-20%: buco di 1 notte tra due prenotazioni",
            "-20 %: Lücke von 1 Nacht zwischen Buchungen",
        ),
        (
            [{"type": "extra_guests", "amount": "20.00", "child_amount": "10.00"}],
            "extra_guests",
            {"adults": 3, "children": [5, 7], "max_guests": 5},
            "1 adulto in più × 20,00\xa0€ + 2 bambini in più × 10,00\xa0€ oltre 2 ospiti inclusi",
            "1 zusätzlicher Erwachsener × 20,00\xa0€ + 2 zusätzliche Kinder × 10,00\xa0€"
            " über 2 inbegriffene Gäste hinaus",
        ),
        (
            [{"type": "clamp", "min_price": "120.00"}],
            "clamp",
            {},
            "portato al minimo di 120,00\xa0€",
            "auf den Mindestpreis von 120,00\xa0€ angehoben",
        ),
        (
            [{"type": "clamp", "max_price": "80.00"}],
            "clamp",
            {},
            "ridotto al massimo di 80,00\xa0€",
            "auf den Höchstpreis von 80,00\xa0€ gesenkt",
        ),
        (
            [{"type": "seasonal", "percent": "3.3", "seasons": SEASON}, {"type": "rounding"}],
            "rounding",
            {},
            "arrotondato a importi interi",
            "gerundet auf ganze Beträge",
        ),
        (
            [
                {"type": "seasonal", "percent": "3", "seasons": SEASON},
                {"type": "rounding", "mode": "ending", "ending": "0.90", "direction": "up"},
            ],
            "rounding",
            {},
            "arrotondato per eccesso a prezzi che finiscono in 0,90\xa0€",
            "aufgerundet auf die Endung 0,90\xa0€",
        ),
    ],
)
def test_a_reader_gets_each_built_in_night_rules_note_in_their_language(
    rules: list[dict[str, Any]], rule: str, stay: dict[str, Any], italian: str, german: str
) -> None:
    line = _line(rules, rule, **stay)
    assert isinstance(line.notes, dict) and list(line.notes) == sorted(LANGUAGES)
    assert line.note_in("it") == italian
    assert line.note_in("de") == german
    assert all(line.notes[language] for language in LANGUAGES)


def test_the_english_note_is_what_it_was() -> None:
    line = _line([{"type": "clamp", "min_price": "120.00"}], "clamp")
    assert line.note == "raised to the minimum of EUR 120.00"
    assert _line([], "base_rate").note == "base price of double: EUR 100.00"
