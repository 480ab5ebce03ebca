"""What can go wrong while loading rules or pricing a stay.

Every error is a value the caller can act on: it names the field, the rule instance and,
where a plugin misbehaved, the package that shipped it. The service maps `PricingError`
subclasses to 422 answers and `RuleConfigError` to an owner-facing configuration message.
"""

from __future__ import annotations


class PricingError(Exception):
    """Base of every error a quote can fail with; ``code`` is stable, ``message`` human.

    ``field`` names the request field at fault (for a 422), ``rule`` the rule instance that
    refused; the engine fills in ``rule`` when a rule raises without naming itself.
    ``values`` are what the message names (a date, a number of nights), as data, so that
    the message can be said in another language.
    """

    code = "pricing_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule
        self.values = values or {}


class InvalidStay(PricingError):
    """The dates cannot be priced: check-out not after check-in, too long, out of range."""

    code = "invalid_stay"


class InvalidParty(PricingError):
    """The party does not fit: no adult, a bad child age, more guests than the room takes."""

    code = "invalid_party"


class StayRefused(PricingError):
    """A stay restriction (minimum stay, closed to arrival, …) refuses these dates;
    ``values`` has the ``date`` it concerns and, for a length of stay, the ``nights``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        rule: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        field = "check_out" if code == "closed_to_departure" else "check_in"
        super().__init__(message, field=field, rule=rule, values=values)
        self.code = code


def _shown(value: str, limit: int = 40) -> str:
    """A guest's value quoted in a message, but never more than a short prefix of it."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class UnknownPromoCode(PricingError):
    """No promo-code rule of this property (for this room type) knows the code."""

    code = "unknown_promo_code"

    def __init__(self, promo_code: str) -> None:
        super().__init__(f"unknown promo code {_shown(promo_code)}", field="promo_code")
        self.promo_code = promo_code


class PromoCodeRejected(PricingError):
    """The promo code exists but does not apply to this booking (dates, length of stay)."""

    code = "promo_code_rejected"

    def __init__(self, promo_code: str, reason: str, *, rule: str | None = None) -> None:
        super().__init__(f"promo code {_shown(promo_code)} {reason}", field="promo_code", rule=rule)
        self.promo_code = promo_code


class NoBaseRate(PricingError):
    """No base-stage rule applies to the room type, so a night has no price to start from."""

    code = "no_base_rate"


class RuleFailed(PricingError):
    """A rule raised or broke an engine invariant; the quote fails rather than skip it."""

    code = "rule_failed"

    def __init__(self, rule: str, package: str, problem: str) -> None:
        super().__init__(
            f"pricing rule {rule!r} (from package {package}) failed: {problem}", rule=rule
        )
        self.package = package
        self.problem = problem


class RuleConfigError(ValueError):
    """An owner's rule list does not load; names the position, the instance and the field."""

    def __init__(self, problem: str, *, index: int, rule: str | None, field: str | None) -> None:
        where = f"rules[{index}]" + (f" ({rule})" if rule else "")
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {problem}")
        self.problem = problem
        self.index = index
        self.rule = rule
        self.field = field


class RuleTypeConflict(RuntimeError):
    """Two installed packages register a rule type under the same name."""


class SettingError(ValueError):
    """Raised by a rule's ``setup()`` when settings do not fit together; names the field."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidChoice(PricingError):
    """An extra or a rule input the request names is unknown, not offered for this stay, or
    out of its bounds; ``field`` is ``extras.<slug>``, ``inputs.<name>`` or ``rate_plan``."""

    code = "invalid"
