"""A property's rule list as the console edits it: read, fingerprinted, checked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from widget.db import Conn
from widget.errors import NotFound, shown
from widget.properties.file import RuleProblem, rule_problem
from widget.sql import queries

Rules = list[dict[str, Any]]


@dataclass(frozen=True)
class RuleBook:
    """What the rules page starts from: the stored rule list and what checks it."""

    property_id: int
    slug: str
    name: str
    currency: str
    today: date
    room_types: list[str]
    rules: Rules

    @property
    def fingerprint(self) -> str:
        """Names the stored list the owner's draft started from (see `save_rules`)."""
        return rules_fingerprint(self.rules)


def stored_form(rules: Rules) -> Rules:
    """A rule list as the database keeps it (JSON: decimals and dates as strings)."""
    stored: Rules = msgspec.to_builtins(rules)
    return stored


def rules_fingerprint(rules: Rules) -> str:
    """A short digest of a rule list in its stored form, keys sorted."""
    canonical = msgspec.json.encode(stored_form(rules), order="sorted")
    return hashlib.sha256(canonical).hexdigest()[:16]


async def read_rulebook(conn: Conn, slug: str) -> RuleBook:
    """The stored rules of ``slug``; `NotFound` for an unknown property."""
    cur = await conn.execute(queries("rulebook")["rulebook"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}.")
    return RuleBook(
        row["id"],
        row["slug"],
        row["name"],
        row["currency"],
        row["today"],
        list(row["room_types"]),
        list(row["pricing_rules"] or []),
    )


def check_draft(book: RuleBook, draft: Rules) -> RuleProblem | None:
    """The draft's first problem, worded as `property apply` words it, or None."""
    if not draft:
        return None  # no rules: every night at the room types' base prices, as in a file
    return rule_problem(draft, currency=book.currency, room_types=book.room_types)


def problem_field(problem: RuleProblem) -> str:
    """``("rules", 2, "seasons", 0, "first")`` → ``rules[2].seasons[0].first``."""
    out = ""
    for part in problem.path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
