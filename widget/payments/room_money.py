"""What each room of a group has paid and still owes once its dates change.

A group is paid as one: one payment at booking, one balance, one charge for a change of
dates. Before its dates change, each room's quote says its part (``room_paid``, migration
0026). A change prices every room again, so the change writes down per room what was
actually taken for it and what it still owes online (migration 0036); a room cancelled
alone is refunded from what was taken for it, under its own plan's policy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoomMoney:
    """One room after a change of dates: what was taken for it, what it still owes."""

    taken: int
    owed: int


def rooms_after_change(taken: list[int], online: list[int], moved: int) -> list[RoomMoney]:
    """Share what the group has taken among its rooms at their new prices.

    ``taken``: what was taken for each room before the change; ``online``: what each room
    costs online at the new dates; ``moved``: what the change gives back now (a refund, > 0)
    or 0. Each room keeps what was taken for it up to its new price; what a room that became
    cheaper paid beyond it goes to the rooms that still owe, in the guest's order (the group
    was paid as one, and the change settled the difference for all of them). So the rooms'
    ``taken`` add up to what the group holds after the change, and their ``owed`` to what
    its balance or the change's charge is still to take; neither is ever negative."""
    if len(taken) != len(online) or not taken:
        raise ValueError("one amount taken and one new price per room")
    held = sum(taken) - moved
    if held < 0:
        raise ValueError("the change gives back more than the rooms were paid")
    kept = [min(t, o) for t, o in zip(taken, online, strict=True)]
    spare = held - sum(kept)
    # A refund larger than what the rooms paid beyond their new prices (not a change the
    # settlement makes, which refunds only what was paid beyond the new total) comes off
    # the last rooms first, so the shares still add up to what the group holds.
    for i in reversed(range(len(kept))):
        less = min(kept[i], max(-spare, 0))
        kept[i] -= less
        spare += less
    for i, price in enumerate(online):
        more = min(price - kept[i], spare)
        kept[i] += more
        spare -= more
    # Held beyond every room's new price (not a change the settlement makes): the first
    # room, which carries the payment, keeps it, so nothing taken goes unaccounted.
    kept[0] += spare
    return [RoomMoney(k, max(price - k, 0)) for k, price in zip(kept, online, strict=True)]
