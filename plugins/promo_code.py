"""Promo codes: a percentage or a fixed amount off, within booking and stay windows."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import msgspec

from engine import (
    Bill,
    Charge,
    Money,
    Period,
    PromoCodeRejected,
    SettingError,
    StayRule,
    format_minor,
    percent_of,
    words_in,
)

_WORDS = {
    "en": "promo code {code}: {off} off",
    "de": "Aktionscode {code}: {off} Rabatt",
    "fr": "code promo {code} : {off} de remise",
    "es": "código promocional {code}: {off} de descuento",
    "it": "codice promozionale {code}: {off} di sconto",
}
_PERCENT = {
    "en": "{percent}%",
    "de": "{percent} %",
    "fr": "{percent} %",
    "es": "{percent} %",
    "it": "{percent}%",
}


class PromoCodeSettings(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    percent: Decimal | None = None
    amount: Money | None = None
    booking: Period | None = None
    stay: Period | None = None
    min_nights: int = 1


def normalise(code: str) -> str:
    """Guests type codes in any case and with stray spaces."""
    return code.strip().upper()


class PromoCode(StayRule[PromoCodeSettings]):
    """Off the rooms when the guest enters ``code``: ``percent`` of the nights inside the
    ``stay`` window, or a fixed ``amount``; only when booked inside ``booking``."""

    name = "promo_code"
    stage = "discount"
    Settings = PromoCodeSettings

    def setup(self) -> None:
        settings = self.settings
        if not normalise(settings.code):
            raise SettingError("code", "cannot be empty")
        if (settings.percent is None) == (settings.amount is None):
            raise SettingError(None, "set either 'percent' or 'amount', not both or neither")
        if settings.percent is not None and not 0 < settings.percent <= 100:
            raise SettingError("percent", "is the discount: more than 0, at most 100")
        if settings.amount is not None and settings.amount <= 0:
            raise SettingError("amount", "must be more than zero")
        self._code = normalise(settings.code)

    def price(self, bill: Bill) -> Iterable[Charge]:
        entered = bill.context.promo_code
        if entered is None or normalise(entered) != self._code:
            return []
        settings = self.settings
        code = self._code
        nights = len(bill.dates)
        if nights < settings.min_nights:
            raise PromoCodeRejected(code, f"needs a stay of at least {settings.min_nights} nights")
        if settings.booking is not None and not settings.booking.contains(bill.context.today):
            raise PromoCodeRejected(code, f"can only be used for bookings made {settings.booking}")
        window = settings.stay
        inside = [
            amount
            for day, amount in zip(bill.dates, bill.night_amounts, strict=True)
            if window is None or window.contains(day)
        ]
        if not inside:
            raise PromoCodeRejected(code, f"is valid for nights {window} only")
        if bill.promo_code_accepted:
            # two rules for one code would give the discount twice; fail loudly instead
            raise ValueError(f"another promo_code rule already applied {code}")
        bill.accept_promo_code()
        room_price = bill.room_price
        if settings.percent is not None:
            # the window's share of the rooms, after the discounts already given
            base = room_price if len(inside) == nights else min(room_price, sum(inside))
            off = percent_of(base, settings.percent)
            note = f"promo code {code}: {settings.percent.normalize():f}% off"
            offs = words_in(_PERCENT, self.currency, numbers={"percent": settings.percent})
        else:
            assert settings.amount is not None
            off = min(int(settings.amount), room_price)
            note = f"promo code {code}: {format_minor(int(settings.amount), self.currency)} off"
            offs = words_in(
                dict.fromkeys(_WORDS, "{off}"), self.currency, money={"off": int(settings.amount)}
            )
        notes = {lang: text.format(code=code, off=offs[lang]) for lang, text in _WORDS.items()}
        return [Charge(-off, note, notes=notes)] if off else []
