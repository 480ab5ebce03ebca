"""A VAT line's words in the five languages, shared by the ``vat`` rule and the extras that
carry their own VAT, so a guest reads the same words for both. ``{rate}`` is the
percentage, written the reader's way (`engine.words_in` with ``numbers``)."""

from __future__ import annotations

#: VAT already inside the price, shown but not added again.
VAT_INCLUDED = {
    "de": "inkl. {rate} % MwSt.",
    "en": "includes {rate}% VAT",
    "es": "IVA del {rate} % incluido",
    "fr": "dont TVA {rate} %",
    "it": "IVA {rate}% inclusa",
}
#: VAT added on top of the price.
VAT_ADDED = {
    "de": "{rate} % MwSt.",
    "en": "{rate}% VAT",
    "es": "IVA del {rate} %",
    "fr": "TVA {rate} %",
    "it": "IVA {rate}%",
}
