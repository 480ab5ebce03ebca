"""Applying a property file's ``[[webhooks]]``: endpoints are added, changed and removed.

An endpoint is known by its URL within the property; a changed URL is a new endpoint. A
removed one keeps its past deliveries (listable), and what it had still waiting is dropped.
The console edits one endpoint in place instead (`edit_endpoint`): a new URL keeps its
secret and its deliveries, and the next export writes it.
"""

from __future__ import annotations

from typing import Any

import psycopg

from widget.properties.errors import PropertyApplyError
from widget.properties.secrets import SecretProblem, resolve
from widget.properties.webhooks import (
    EVENT_TYPES,
    MAX_URL_LENGTH,
    WebhookSpec,
    secret_problem,
    shown_url,
    url_problem,
)
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


class EndpointRefused(PropertyApplyError):
    """An edit of an endpoint that cannot be made; ``field`` names the form's field. The
    message never quotes the URL: its path is often a credential."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NoSuchEndpoint(LookupError):
    """The property has no live endpoint of that number."""


def edit_endpoint(
    conn: psycopg.Connection[Any],
    property_id: int,
    endpoint_id: int,
    *,
    url: str | None,
    events: list[str],
    include_guest: bool,
) -> str | None:
    """Give endpoint ``endpoint_id`` of the property a new URL (None keeps it), its events
    and whether the guest's details travel; checked as the property file's ``[[webhooks]]``
    are. Returns what changed in words without URL paths, or None when nothing did."""
    q = queries("webhooks")
    with conn.transaction():
        row = conn.execute(
            q["endpoint_of_property"], {"id": endpoint_id, "property_id": property_id}
        ).fetchone()
        if row is None:
            raise NoSuchEndpoint(f"There is no webhook {endpoint_id} on this property.")
        _, old_url, old_events, old_guest = row
        new_url = url if url is not None else old_url
        _check_edit(new_url, events)
        wanted = [event for event in EVENT_TYPES if event in events]
        if (new_url, wanted, include_guest) == (old_url, list(old_events), old_guest):
            return None
        try:
            with conn.transaction():
                conn.execute(
                    q["edit_endpoint"],
                    {
                        "id": endpoint_id,
                        "url": new_url,
                        "events": wanted,
                        "include_guest": include_guest,
                    },
                )
        except psycopg.errors.UniqueViolation:
            raise EndpointRefused("url", "another webhook already has this URL") from None
    moved = f" → {shown_url(new_url)}" if new_url != old_url else ""
    return f"{shown_url(old_url)}{moved}: {', '.join(wanted)}" + (
        " (with the guest's details)" if include_guest else ""
    )


def _check_edit(url: str, events: list[str]) -> None:
    if len(url) > MAX_URL_LENGTH:
        raise EndpointRefused("url", f"must be at most {MAX_URL_LENGTH} characters")
    problem = url_problem(url)
    if problem:
        raise EndpointRefused("url", problem)
    if not events:
        raise EndpointRefused("events", "choose at least one event")
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise EndpointRefused(
            "events", f"unknown event {unknown[0]!r}: must be one of {', '.join(EVENT_TYPES)}"
        )
