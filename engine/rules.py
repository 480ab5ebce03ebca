"""Rule types: what a plugin subclasses, and the views of a stay each stage works on.

A rule *type* is a class (``name``, ``stage``, a settings Struct, a docstring); a rule
*instance* is that class built with one owner's settings. Rules work on ranges of nights,
never one night per call, so the calendar can price a year for ten rooms quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Generic, Literal, TypeVar

import msgspec

from engine.dates import Period, covered, month_days
from engine.inputs import RuleInput
from engine.quote import Payable, StayLine

if TYPE_CHECKING:
    from engine.context import StayContext

Stage = Literal["base", "adjust", "clamp", "round", "discount", "fee", "tax", "restrict"]
NIGHT_STAGES: tuple[Stage, ...] = ("base", "adjust", "clamp", "round")
STAY_STAGES: tuple[Stage, ...] = ("discount", "fee", "tax")
STAGES: tuple[Stage, ...] = ("restrict", *NIGHT_STAGES, *STAY_STAGES)


class NoSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Settings of a rule that takes none."""


SettingsT = TypeVar("SettingsT", bound=msgspec.Struct)


class Rule(Generic[SettingsT]):
    """Base of every rule type. Subclass `NightRule`, `StayRule` or `RestrictionRule`.

    Class attributes: ``name`` (what owners write as ``type``), ``stage``, ``Settings`` (a
    msgspec Struct; declare money fields as `engine.Money`), optionally ``inputs`` (the
    questions the guest answers), and a docstring whose first line describes the rule in
    ``innkeep plugins``.
    """

    name: ClassVar[str]
    stage: ClassVar[Stage]
    Settings: ClassVar[type[msgspec.Struct]] = NoSettings
    #: What the rule asks the guest (`engine.RuleInput`s); values arrive in
    #: ``context.inputs``, checked and with defaults filled in.
    inputs: ClassVar[tuple[RuleInput, ...]] = ()

    def __init__(self, settings: SettingsT, currency: str) -> None:
        self.settings = settings
        self.currency = currency
        self.setup()

    def setup(self) -> None:
        """Precompute from ``self.settings`` once, when the owner's rules load.

        Raise `engine.SettingError` for settings that are valid one by one but not together.
        """

    def fills_gaps(self) -> int:
        """The longest free gap between two reservations (nights) that a stay exactly
        filling it may book whatever the minimum stay; 0 (the default): none. The engine
        takes the largest any rule of the stay's room type allows."""
        return 0

    @classmethod
    def describe(cls) -> str:
        """The first paragraph of the class docstring, on one line: the rule's description."""
        doc = (cls.__doc__ or "").strip()
        paragraph = doc.split("\n\n", 1)[0]
        return " ".join(paragraph.split()) if paragraph else cls.name


class Nights:
    """The nights of a stay (or of a calendar range) as one night stage sees them.

    A night rule reads the lists and rewrites ``amounts`` in place (minor units, ``int``).
    ``lead_days[i]`` is how many days before arrival the booking is made: for a quote the
    same for every night (check-in minus today), in the calendar each day is priced as if the
    guest arrived that day. ``floor``/``ceiling`` are the clamp range; rounding stays in it.
    """

    __slots__ = (
        "_month_days",
        "_notes",
        "amounts",
        "ceiling",
        "context",
        "dates",
        "explaining",
        "floor",
        "free_gap",
        "lead_days",
        "units_sold",
        "units_total",
        "weekdays",
    )

    def __init__(
        self,
        context: StayContext,
        dates: list[date],
        *,
        lead_days: list[int],
        units_total: list[int],
        units_sold: list[int],
        free_gap: list[int | None],
        explaining: bool,
    ) -> None:
        self.context = context
        self.dates = dates
        self.weekdays = [day.weekday() for day in dates]
        self.amounts = [0] * len(dates)
        self.lead_days = lead_days
        self.units_total = units_total
        self.units_sold = units_sold
        self.free_gap = free_gap
        self.floor = 0
        self.ceiling: int | None = None
        self.explaining = explaining
        self._notes: dict[int, tuple[str, Mapping[str, str] | None]] = {}
        self._month_days: list[int] | None = None

    def __len__(self) -> int:
        return len(self.dates)

    def covered(self, periods: list[Period]) -> list[bool]:
        """For each night, whether it falls in one of ``periods`` (all, if none are given)."""
        if self._month_days is None:
            self._month_days = month_days(self.dates)
        return covered(periods, self.dates, self._month_days)

    def note(self, index: int, text: str, words: Mapping[str, str] | None = None) -> None:
        """Explain what the current rule did to night ``index`` (shown on its quote line).

        ``text`` is the explanation in English; ``words`` may give it per language
        (``{"en": …, "it": …}``, e.g. from `engine.words_in`), shown to a reader of that
        language instead of ``text``. Cheap to call; notes are dropped when the engine
        prices a calendar. Check ``explaining`` first if building the words is costly.
        """
        if self.explaining:
            self._notes[index] = (text, words)

    def take_notes(self) -> dict[int, str]:
        """The English notes of the rule that just ran; starts afresh."""
        return {index: text for index, (text, _) in self.take_explained().items()}

    def take_explained(self) -> dict[int, tuple[str, Mapping[str, str] | None]]:
        """Hand the notes of the rule that just ran (English, words per language or None)
        to the engine and start afresh."""
        notes, self._notes = self._notes, {}
        return notes


class Charge(msgspec.Struct, frozen=True):
    """One stay line a stay rule adds; the engine fills in the rule name and the kind.

    ``note`` is the line's words in English; ``notes`` may give them per language
    (``{"en": …, "it": …}``, see `engine.words_in`), shown to a reader of that language
    instead of ``note``."""

    amount: int
    note: str
    included: bool = False
    payable: Payable = "now"
    notes: Mapping[str, str] = {}


class Bill:
    """The stay as the stay stages see it: priced nights and the stay lines so far."""

    __slots__ = ("context", "dates", "lines", "night_amounts", "promo_code_accepted")

    def __init__(self, context: StayContext, dates: list[date], night_amounts: list[int]) -> None:
        self.context = context
        self.dates = dates
        self.night_amounts = night_amounts
        self.lines: list[StayLine] = []
        self.promo_code_accepted = False

    @property
    def rooms(self) -> int:
        """Sum of the night amounts."""
        return sum(self.night_amounts)

    @property
    def room_price(self) -> int:
        """What the rooms cost after the discounts so far (nights + discount lines)."""
        return self.rooms + self.subtotal(kinds=("discount",))

    @property
    def total(self) -> int:
        """The stay's price so far: nights plus every line that is not included in another."""
        return self.rooms + sum(line.amount for line in self.lines if not line.included)

    def subtotal(self, kinds: Iterable[str] = (), rules: Iterable[str] = ()) -> int:
        """Sum of the (not included) stay lines of the given kinds or rule instances."""
        wanted_kinds, wanted_rules = set(kinds), set(rules)
        return sum(
            line.amount
            for line in self.lines
            if not line.included and (line.kind in wanted_kinds or line.rule in wanted_rules)
        )

    def accept_promo_code(self) -> None:
        """Called by the rule that honours the stay's promo code; unclaimed codes fail."""
        self.promo_code_accepted = True


class Days:
    """Days a guest might arrive or depart on, as a restriction rule sees them
    (``lead_days[i]``: how many days ahead of today an arrival on day ``i`` is booked).

    Rules call the methods; the engine combines several rules (the longest minimum stay,
    the shortest maximum, any closure), so their order does not matter.
    """

    __slots__ = (
        "_month_days",
        "closed_to_arrival",
        "closed_to_departure",
        "context",
        "dates",
        "lead_days",
        "max_stay",
        "min_stay",
        "weekdays",
    )

    def __init__(self, context: StayContext, dates: list[date]) -> None:
        self.context = context
        self.dates = dates
        self.weekdays = [day.weekday() for day in dates]
        #: Days between booking (today) and an arrival on each day.
        self.lead_days = [(day - context.today).days for day in dates]
        self.min_stay = [1] * len(dates)
        self.max_stay: list[int | None] = [None] * len(dates)
        self.closed_to_arrival = [False] * len(dates)
        self.closed_to_departure = [False] * len(dates)
        self._month_days: list[int] | None = None

    def __len__(self) -> int:
        return len(self.dates)

    def covered(self, periods: list[Period]) -> list[bool]:
        """For each day, whether it falls in one of ``periods`` (all, if none are given)."""
        if self._month_days is None:
            self._month_days = month_days(self.dates)
        return covered(periods, self.dates, self._month_days)

    def require_min_stay(self, index: int, nights: int) -> None:
        """Arrivals on day ``index`` must stay at least ``nights``."""
        if nights > self.min_stay[index]:
            self.min_stay[index] = nights

    def limit_max_stay(self, index: int, nights: int) -> None:
        """Arrivals on day ``index`` may stay at most ``nights``."""
        current = self.max_stay[index]
        if current is None or nights < current:
            self.max_stay[index] = nights

    def close_to_arrival(self, index: int) -> None:
        """No stay may begin on day ``index``."""
        self.closed_to_arrival[index] = True

    def close_to_departure(self, index: int) -> None:
        """No stay may end on day ``index``."""
        self.closed_to_departure[index] = True


class NightRule(Rule[SettingsT]):
    """A rule of a night stage (base, adjust, clamp, round): rewrites ``nights.amounts``."""

    def price(self, nights: Nights) -> None:
        """Change ``nights.amounts`` in place; call ``nights.note(i, text, words)`` to explain."""
        raise NotImplementedError


class StayRule(Rule[SettingsT]):
    """A rule of a stay stage (discount, fee, tax): returns the lines it adds."""

    def price(self, bill: Bill) -> Iterable[Charge]:
        """Return the charges to add (negative for discounts); may return none."""
        raise NotImplementedError


class RestrictionRule(Rule[SettingsT]):
    """A stay restriction: minimum/maximum stay, closed to arrival or departure."""

    stage: ClassVar[Stage] = "restrict"

    def restrict(self, days: Days) -> None:
        """Mark the restrictions of each day in ``days``."""
        raise NotImplementedError
