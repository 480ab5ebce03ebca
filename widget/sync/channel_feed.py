"""A connected channel's feed, as the worker that leased it sees it, and what it found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import msgspec


class LeasedFeed(msgspec.Struct, frozen=True):
    """A feed as its leaseholder sees it, with its property's today and clock (the row of
    ``imports.sql``'s ``leased_feed``)."""

    channel_id: int
    url: str
    interval_seconds: int
    etag: str | None
    last_modified: str | None
    failing_since: datetime | None
    failure_told_at: datetime | None
    last_status: int | None
    name: str
    unit_id: int
    property_id: int
    unit: str
    slug: str
    property_name: str
    time_zone: str
    contact_email: str
    today: date
    now: datetime


@dataclass(frozen=True)
class Clash:
    """A recorded conflict: the event's nights and the other side's nights that clash."""

    uid: str
    event: tuple[date, date]
    nights: tuple[date, date]
    other: str
