"""Applying a property file's ``[[webhooks]]``: endpoints are added, changed and removed.

An endpoint is known by its URL within the property; a changed URL is a new endpoint. A
removed one keeps its past deliveries (listable), and what it had still waiting is dropped.
"""

from __future__ import annotations

from typing import Any

import psycopg

from widget.properties.errors import PropertyApplyError
from widget.properties.secrets import SecretProblem, resolve
from widget.properties.webhooks import WebhookSpec, secret_problem, shown_url
from widget.sql import queries


def _secret(hook: WebhookSpec, index: int, stored: str | None) -> str:
    """The endpoint's secret after the apply: the file's, else the stored one (a reference
    to it, or the key left out). Refusals name the key, never a secret."""
    where = f"webhooks[{index}].secret ({shown_url(hook.url)})"
    try:
        secret = resolve(hook.secret, stored)
    except SecretProblem as refused:
        raise PropertyApplyError(f"{where}: {refused}") from None
    if secret is None:
        raise PropertyApplyError(f"{where}: a new webhook needs its secret")
    problem = secret_problem(secret)
    if problem:
        raise PropertyApplyError(f"{where}: {problem}")
    return secret


def apply_webhooks(
    conn: psycopg.Connection[Any], property_id: int, webhooks: list[WebhookSpec]
) -> list[str]:
    """Make the property's endpoints those of ``webhooks`` (in the caller's transaction);
    returns what changed, in words that show no URL path and no secret."""
    q = queries("webhooks")
    rows = conn.execute(q["endpoints_of_property"], {"property_id": property_id}).fetchall()
    current = {row[1]: row for row in rows}
    changed: list[str] = []
    for index, hook in enumerate(webhooks):
        row = current.pop(hook.url, None)
        secret = _secret(hook, index, row[3] if row is not None else None)
        wanted = (list(hook.events), secret, hook.include_guest)
        params = {
            "property_id": property_id,
            "url": hook.url,
            "events": wanted[0],
            "secret": secret,
            "include_guest": hook.include_guest,
        }
        if row is None:
            conn.execute(q["add_endpoint"], params)
            changed.append(f"added webhook {shown_url(hook.url)}")
        elif (list(row[2]), row[3], row[4]) != wanted:
            conn.execute(q["update_endpoint"], {**params, "id": row[0]})
            changed.append(f"updated webhook {shown_url(hook.url)}")
    if current:
        ids = [row[0] for row in current.values()]
        conn.execute(q["drop_pending_of_endpoints"], {"ids": ids})
        conn.execute(q["remove_endpoints"], {"ids": ids})
        changed.extend(f"removed webhook {shown_url(url)}" for url in current)
    return changed
