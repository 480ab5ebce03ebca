"""The stay's fees, discounts and taxes as its guest reads them, each in their language."""

from __future__ import annotations

from collections.abc import Sequence

from engine import Quote
from widget.mail.formats import money


def charge_lines(quotes: Sequence[Quote], words: dict[str, str], language: str) -> list[str]:
    """ "2 animali × 10,00 € a notte: 60,00 €": each rule's stay line of the booking's
    rooms in the reader's words (the rule's own per language, else its English note).
    Extras are named in their own line of the e-mail and the page; lines of 0 are left out."""
    shown = []
    for quote in quotes:
        for line in quote.stay_lines:
            if line.rule.startswith("extras.") or not line.amount:
                continue
            text = f"{line.note_in(language)}: {money(line.amount, quote.currency, language)}"
            shown.append(f"{text} ({words['charge_included']})" if line.included else text)
    return shown
