"""Rooms together for a party no one room sleeps: "two doubles" for four adults.

A few ways to split the party over the room types free for the whole stay, each room with
at least one adult and no more guests than it sleeps, as few rooms as will do (and one
more), each priced as its hold would price it; the cheapest first. A way is a list of rooms
a hold of several rooms takes as it stands (``rooms: [...]``).
"""

from __future__ import annotations

from datetime import date
from itertools import combinations_with_replacement

import msgspec

from engine import Party
from widget.db import Conn
from widget.errors import Invalid
from widget.inventory.availability import busy_stock
from widget.inventory.catalogue import Catalogue
from widget.inventory.quoting import check_stay, price
from widget.inventory.stock import Stock
from widget.schemas import MoneyOut

#: The most ways offered, and the most tried (each is priced).
MAX_OFFERED = 3
_MAX_TRIED = 60


class OfferedRoom(msgspec.Struct, frozen=True):
    """One room of an offered way, as a hold of several rooms takes it."""

    room_type: str
    adults: int
    children: list[int] = []


class Combination(msgspec.Struct, frozen=True):
    """One way to put the party up: its rooms, and what they cost together."""

    rooms: list[OfferedRoom]
    total: MoneyOut
    due_now: MoneyOut


def _split(party: Party, sizes: list[int]) -> list[Party] | None:
    """The party over rooms sleeping ``sizes`` (largest first): one adult each, then the
    other adults and the children room by room; None when it cannot be done."""
    if party.adults < len(sizes) or party.guests > sum(sizes):
        return None
    adults = [1] * len(sizes)
    children: list[list[int]] = [[] for _ in sizes]
    left_adults, left_children = party.adults - len(sizes), list(party.children)
    for index, size in enumerate(sizes):
        room = min(left_adults, size - 1)
        adults[index] += room
        left_adults -= room
        while left_children and adults[index] + len(children[index]) < size:
            children[index].append(left_children.pop(0))
    if left_adults or left_children:
        return None
    return [Party(a, tuple(c)) for a, c in zip(adults, children, strict=True)]


def _candidates(catalogue: Catalogue, free: dict[str, int], guests: int) -> list[list[str]]:
    """Room types to try together: as few rooms as sleep the party, and one more; never
    more rooms of a type than are free, nor more than one booking may have."""
    kinds = sorted(
        (slug for slug, count in free.items() if count),
        key=lambda s: (-catalogue.room(s).room_type.max_guests, s),
    )
    found: list[list[str]] = []
    for count in range(1, catalogue.max_rooms_per_booking + 1):
        for chosen in combinations_with_replacement(kinds, count):
            fits = sum(catalogue.room(s).room_type.max_guests for s in chosen) >= guests
            if fits and all(chosen.count(s) <= free[s] for s in set(chosen)):
                found.append(list(chosen))
        if (found and len(found[0]) < count) or len(found) >= _MAX_TRIED:
            break
    return found[:_MAX_TRIED]


def combinations(
    catalogue: Catalogue,
    stocks: dict[str, Stock],
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
) -> list[Combination]:
    """The cheapest few ways to put ``party`` up in several rooms for the stay."""
    free = {slug: len(stock.free_units(check_in, check_out)) for slug, stock in stocks.items()}
    offers = []
    for kinds in _candidates(catalogue, free, party.guests):
        parties = _split(party, [catalogue.room(s).room_type.max_guests for s in kinds])
        if parties is None:
            continue
        try:
            quotes = [
                price(catalogue, stocks[s], s, check_in, check_out, p, promo_code, today)
                for s, p in zip(kinds, parties, strict=True)
            ]
        except Invalid:  # a restriction refuses one of the rooms for this stay
            continue
        currency = quotes[0].currency
        offers.append(
            Combination(
                [
                    OfferedRoom(s, p.adults, list(p.children))
                    for s, p in zip(kinds, parties, strict=True)
                ],
                MoneyOut(sum(q.total for q in quotes), currency),
                MoneyOut(sum(q.due_now for q in quotes), currency),
            )
        )
    offers.sort(key=lambda offer: offer.total.amount)
    return offers[:MAX_OFFERED]


async def check_party_fits(
    conn: Conn,
    catalogue: Catalogue,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
) -> None:
    """Refuse a party no one room of the property sleeps: 422 naming ``adults``, with
    ``combinations``, the cheapest few ways to book it in several rooms for the stay."""
    biggest = max((r.room_type.max_guests for r in catalogue.rooms.values()), default=0)
    if party.guests <= biggest:
        return
    check_stay(check_in, check_out, today, catalogue.horizon_days)
    stocks = await busy_stock(conn, catalogue, check_in, check_out)
    offers = combinations(catalogue, stocks, check_in, check_out, party, promo_code, today)
    raise Invalid(
        f"no room sleeps {party.guests} guests (at most {biggest}); "
        "book several rooms together: see combinations",
        field="adults",
        extra={"combinations": msgspec.to_builtins(offers)},
    )
