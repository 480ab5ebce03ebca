"""Which clock each query reads (decision 16): a test property's clock may be moved
forward, so what concerns one property reads ``innkeep_now(property_id)``; only the queries
listed here read the deployment's ``innkeep_now()``, each for a reason said beside it in
its ``.sql`` file. A new query that calls ``innkeep_now()`` fails here until someone
decides which clock it means."""

from __future__ import annotations

import re
from importlib import resources

from widget.sql import queries

DEPLOYMENT_CLOCK = {
    # Accounts, sessions, logins, resets, invites: no one property's.
    "console": {
        "insert_session",
        "delete_expired_sessions",
        "session_viewer",
        "session_user",
        "login_failures",
        "record_login_failure",
        "forget_login_failures",
        "claim_guessing_notice",
        "enqueue_console_message",
        "recent_resets",
        "insert_reset",
        "reset_is_live",
        "use_reset",
        "use_every_reset_of_user",
        "use_recovery_code",
        "insert_invite",
        "invite_is_live",
        "use_invite",
        "invites_sent",
        "open_change_charge",  # its lease (its due day and time read the property's clock)
        "balance_follows_change",  # a worker's lease on the balance
    },
    # Idempotency keys, the outbox, the reconcilers' quiet times, leases, Stripe's clock.
    "payments": {
        "claim_idempotency_key",
        "idempotency_key",
        "forget_idempotency_keys",
        "enqueue_message",
        "due_messages",
        "message_sent",
        "message_failed",
        "unsettled_payments",
        "clock_seconds",
        "lessen_balance",
        "claim_due_charge",
        "charges_awaiting_guest",
        "charges_to_give_back",  # a minute's quiet after the last ask
        "open_no_show",  # its lease
        "claim_balance_now",
        "capture_checked",  # a payment recovery's record (its lease is real time too)
    },
    # Delivery leases.
    "webhooks": {"claim_deliveries", "resend_delivery", "delivery_for_resend"},
    # Computes the moved clock itself (innkeep_now(id) would read the row as it was).
    "testmode": {"advance_property_clock"},
    # Channel sync's queries (feed schedules and leases are real time; its hold expiry and
    # "today" are still to be moved to the property's clock by the sync work).
    "imports": {
        "claim_due_feeds",
        "claim_feeds_now",
        "leased_feed",
        "expire_lapsed_holds",
        "record_conflict",
        "resolve_gone_conflicts",
        "feed_fetched",
        "feed_failed",
        "failure_told",
        "feed_status",
        "keep_events",
        "resolve_conflict",
    },
    "sync": {"record_served"},
}


def _calls_deployment_clock(query: str) -> bool:
    code = "\n".join(line.split("--", 1)[0] for line in query.splitlines())
    return re.search(r"\binnkeep_now\(\s*\)", code) is not None


def test_only_the_listed_queries_read_the_deployment_clock() -> None:
    found: dict[str, set[str]] = {}
    files = resources.files("widget.sql")
    for name in sorted(f.name for f in files.iterdir() if f.name.endswith(".sql")):
        module = name.removesuffix(".sql")
        calls = {n for n, q in queries(module).items() if _calls_deployment_clock(q)}
        if calls:
            found[module] = calls
    assert found == DEPLOYMENT_CLOCK
