"""Parsing what guests send: party and dates, with errors that name the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar.params import PathParameter

from engine import MAX_CHILD_AGE, MIN_ADULTS
from widget.errors import Invalid, shown
from widget.limits import MAX_ADULTS, MAX_CHILDREN


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            f"{field} must be a date like 2027-05-01, got {shown(value)}", field=field
        ) from None


def parse_children(value: str | None) -> tuple[int, ...]:
    """``"5,9"`` → ``(5, 9)``: the ages of the children on arrival."""
    if not value:
        return ()
    ages = []
    for part in value.split(","):
        try:
            age = int(part.strip())
        except ValueError:
            raise Invalid(
                f"children must be ages separated by commas, like 4,9; got {shown(value)}",
                field="children",
            ) from None
        ages.append(age)
    return check_children(ages)


def check_children(ages: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    for age in ages:
        if not 0 <= age <= MAX_CHILD_AGE:
            raise Invalid(f"a child's age is 0 to {MAX_CHILD_AGE}, got {age}", field="children")
    if len(ages) > MAX_CHILDREN:
        raise Invalid(f"at most {MAX_CHILDREN} children", field="children")
    return tuple(ages)


def check_adults(adults: int) -> int:
    if not MIN_ADULTS <= adults <= MAX_ADULTS:
        raise Invalid(f"adults must be between {MIN_ADULTS} and {MAX_ADULTS}", field="adults")
    return adults


PropertySlug = Annotated[str, PathParameter(description="The property's slug, e.g. `demo`.")]
HoldId = Annotated[UUID, PathParameter(description="The hold's id, from its creation.")]
