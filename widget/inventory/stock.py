"""Which units are busy on which nights, and what the engine needs to know about it.

Pure functions over the busy stays the database returned, so they are cheap to test.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from engine import Occupancy
from widget.inventory.stay_changes import Nights

#: How far around a window we look for the edges of free runs (gap-night rules care about
#: gaps of a few nights; a run that reaches further counts as long).
GAP_HORIZON = 31
#: Answers about stays one stock keeps (free and gap units per stay) before it starts over.
ANSWERS_KEPT = 64


@dataclass
class UnitDiary:
    """One unit's busy stays, as sorted half-open day-number ranges."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, start: int, end: int) -> None:
        at, here = self._find(start, end)
        if not here:  # a stay is a unit's nights, never counted twice
            self.starts.insert(at, start)
            self.ends.insert(at, end)

    def remove(self, start: int, end: int) -> None:
        """Forget the stay ``[start, end)``, if it is here."""
        at, here = self._find(start, end)
        if here:
            del self.starts[at]
            del self.ends[at]

    def _find(self, start: int, end: int) -> tuple[int, bool]:
        """Where the stay ``[start, end)`` is, or would go; and whether it is there."""
        at = bisect.bisect_left(self.starts, start)
        return at, at < len(self.starts) and self.starts[at] == start and self.ends[at] == end

    def copy(self) -> UnitDiary:
        return UnitDiary(self.starts.copy(), self.ends.copy())

    def busy(self, night: int) -> bool:
        at = bisect.bisect_right(self.starts, night) - 1
        return at >= 0 and self.ends[at] > night

    def free_between(self, first: int, last_exclusive: int) -> bool:
        """No busy stay touches any night of ``[first, last_exclusive)``."""
        at = bisect.bisect_left(self.starts, last_exclusive) - 1
        return at < 0 or self.ends[at] <= first

    def free_run(self, night: int, low: int, high: int) -> int:
        """Length of the free run containing the free ``night``, clipped to ``[low, high)``."""
        return self.run_and_gap(night, low, high)[0]

    def run_and_gap(self, night: int, low: int, high: int) -> tuple[int, int | None]:
        """For the free ``night``: the length of its free run clipped to ``[low, high)``,
        and, if the run is a gap between two reservations that begins on ``night``, the
        gap's length (else None). One search serves both (the calendar asks per night)."""
        at = bisect.bisect_right(self.starts, night)
        # Active stays of one unit never overlap (Postgres sees to it), so ends are sorted too.
        after = at < len(self.starts)
        run_end = self.starts[at] if after else high
        run_start = self.ends[at - 1] if at > 0 else low
        gap = run_end - night if after and at > 0 and run_start == night else None
        return min(run_end, high) - max(run_start, low), gap


class Stock:
    """The busy stays of a set of units around a window of nights."""

    def __init__(self, unit_ids: Sequence[int], stays: Iterable[tuple[int, date, date]]) -> None:
        self.unit_ids = list(unit_ids)
        self.diaries = {unit: UnitDiary() for unit in self.unit_ids}
        self._answers: dict[tuple[str, int, int], list[int]] = {}
        for unit, first, check_out in stays:
            diary = self.diaries.get(unit)
            if diary is not None:
                diary.add(first.toordinal(), check_out.toordinal())

    def changed(self, freed: Nights | None, taken: Nights | None) -> Stock:
        """This stock with one stay's nights freed and/or taken: itself when neither is of
        one of its units, else a new `Stock` in which only the diaries touched are copies
        (this one is left as it is: a request may be reading it)."""
        touched = {n.unit_id for n in (freed, taken) if n is not None} & self.diaries.keys()
        if not touched:
            return self
        changed = Stock.__new__(Stock)
        changed.unit_ids = self.unit_ids
        changed.diaries = dict(self.diaries)
        changed._answers = {}
        for unit in touched:
            changed.diaries[unit] = self.diaries[unit].copy()
        if freed is not None and freed.unit_id in touched:
            changed.diaries[freed.unit_id].remove(freed.first, freed.end)
        if taken is not None and taken.unit_id in touched:
            changed.diaries[taken.unit_id].add(taken.first, taken.end)
        return changed

    def _remembered(
        self, kind: str, first: int, end: int, find: Callable[[], list[int]]
    ) -> list[int]:
        """``find``'s answer for the stay, found once per stock: a stock never changes (a
        change makes a new one), and in a race every request of a worker asks the same."""
        key = (kind, first, end)
        found = self._answers.get(key)
        if found is None:
            if len(self._answers) >= ANSWERS_KEPT:
                self._answers.clear()
            found = self._answers[key] = find()
        return list(found)

    def free_units(self, check_in: date, check_out: date) -> list[int]:
        """Units free for every night of the stay, the best fit first: the unit whose free
        run is shortest, so stays fill gaps instead of cutting long runs into orphans."""
        first, end = check_in.toordinal(), check_out.toordinal()

        def find() -> list[int]:
            low, high = first - GAP_HORIZON, end + GAP_HORIZON
            free = [u for u in self.unit_ids if self.diaries[u].free_between(first, end)]
            return sorted(free, key=lambda u: self.diaries[u].free_run(first, low, high))

        return self._remembered("free", first, end, find)

    def any_free(self, check_in: date, check_out: date) -> bool:
        """Whether some unit is free for every night of the stay (`free_units`, unsorted: a
        refusal naming the room types still free asks this of each)."""
        first, end = check_in.toordinal(), check_out.toordinal()
        return any(diary.free_between(first, end) for diary in self.diaries.values())

    def gap_units(self, check_in: date, check_out: date) -> list[int]:
        """Units on which the stay exactly fills a free gap between two reservations."""
        first, end = check_in.toordinal(), check_out.toordinal()

        def find() -> list[int]:
            low, high = first - GAP_HORIZON, end + GAP_HORIZON
            return [
                unit
                for unit in self.unit_ids
                if self.diaries[unit].free_between(first, end)
                and self.diaries[unit].run_and_gap(first, low, high)[1] == end - first
            ]

        return self._remembered("gap", first, end, find)

    def occupancy(self, start: date, end: date) -> tuple[Occupancy, ...]:
        """Per night of ``[start, end)``: units total, units busy, the shortest free run
        among the free units (the unit a booking that night would be sold from), and the
        shortest gap between two reservations that begins that night on a free unit."""
        total = len(self.unit_ids)
        first, last = start.toordinal(), end.toordinal()
        low, high = first - GAP_HORIZON, last + GAP_HORIZON
        nights = []
        for night in range(first, last):
            seen = [
                diary.run_and_gap(night, low, high)
                for diary in self.diaries.values()
                if not diary.busy(night)
            ]
            gaps = [gap for _, gap in seen if gap is not None]
            nights.append(
                Occupancy(
                    total,
                    total - len(seen),
                    min(run for run, _ in seen) if seen else None,
                    min(gaps) if gaps else None,
                )
            )
        return tuple(nights)


def window(start: date, end: date) -> tuple[date, date]:
    """The stretch of dates whose busy stays decide occupancy for ``[start, end)``."""
    return start - timedelta(days=GAP_HORIZON), end + timedelta(days=GAP_HORIZON)
