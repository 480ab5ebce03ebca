"""Saving an owner's rule list: checked as the file is, recorded with who changed what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.types.json import Jsonb

from widget.db import Conn
from widget.errors import Invalid, NotFound, RulesChangedMeanwhile, shown
from widget.properties.rule_history import summarise
from widget.rulebook.draft import (
    RuleBook,
    Rules,
    check_draft,
    problem_field,
    rules_fingerprint,
    stored_form,
)
from widget.sql import queries


@dataclass(frozen=True)
class RuleChange:
    """One saved change of the rules: who, when, and what in a line."""

    changed_by: str
    changed_at: datetime
    summary: str


async def save_rules(
    conn: Conn, book: RuleBook, draft: Rules, *, changed_by: str, based_on: str
) -> RuleChange | None:
    """Store ``draft`` as the property's rules and record the change; None when the draft
    is what is stored already. `Invalid` names the rule field at fault (the file's message);
    `RulesChangedMeanwhile` when the stored rules are no longer those ``based_on`` names."""
    problem = check_draft(book, draft)
    if problem is not None:
        where = f" ({problem.rule})" if problem.rule else ""
        raise Invalid(
            f"{problem_field(problem)}{where}: {problem.message}", field=problem_field(problem)
        )
    after = stored_form(draft)
    q = queries("rulebook")
    async with conn.transaction():
        cur = await conn.execute(q["lock_rules"], {"slug": book.slug})
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"No property is called {shown(book.slug)}.")
        before = list(row["pricing_rules"] or [])
        if rules_fingerprint(before) != based_on:
            raise RulesChangedMeanwhile(
                "The rules were changed by someone else since this page was opened; "
                "reload it to see their change, then make yours again."
            )
        cur = await conn.execute(
            q["store_rules"], {"property_id": row["id"], "rules": Jsonb(after)}
        )
        if await cur.fetchone() is None:
            return None
        summary = summarise(before, after)
        await conn.execute(
            q["record_rule_change"],
            {
                "property_id": row["id"],
                "changed_by": changed_by,
                "summary": summary,
                "before": Jsonb(before),
                "after": Jsonb(after),
            },
        )
    history = await rule_history(conn, row["id"], limit=1)
    return history[0]


async def rule_history(conn: Conn, property_id: int, limit: int = 20) -> list[RuleChange]:
    """The latest changes of the rules, newest first."""
    cur = await conn.execute(
        queries("rulebook")["rule_changes"], {"property_id": property_id, "limit": limit}
    )
    rows = await cur.fetchall()
    return [RuleChange(r["changed_by"], r["changed_at"], r["summary"]) for r in rows]
