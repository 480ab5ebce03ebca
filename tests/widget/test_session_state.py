"""Nothing in the service relies on session state across transactions, so it works through
PgBouncer in transaction mode: no session-level advisory locks, no session SETs, no
prepared statements or temporary tables of our own, LISTEN only on the listener's direct
connection, and every connection outside the pool turns psycopg's automatic prepared
statements off."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

WIDGET = Path(__file__).resolve().parents[2] / "widget"

#: What would keep state in a server session that PgBouncer hands to someone else next.
SESSION_STATE = {
    "a session-level advisory lock": re.compile(
        r"pg_(try_)?advisory_(un)?lock(_shared)?\s*\(", re.IGNORECASE
    ),
    "a session setting": re.compile(
        r"^\s*(SET\s+(SESSION\s+)?(ROLE|TIME\s+ZONE|search_path|\w*timeout|application_name|"
        r"work_mem)\b|RESET\s+\w+)",
        re.IGNORECASE | re.MULTILINE,
    ),
    "set_config for the session": re.compile(r"set_config\s*\([^)]*false\s*\)", re.IGNORECASE),
    "a prepared statement": re.compile(r"\bPREPARE\s+\w+\s*(\(|AS\b)", re.IGNORECASE),
    "a temporary table": re.compile(r"CREATE\s+(TEMP|TEMPORARY)\s+TABLE", re.IGNORECASE),
    "a cursor kept across transactions": re.compile(r"WITH\s+HOLD", re.IGNORECASE),
}
#: LISTEN needs the direct connection: only the notification listener may say it.
LISTENER = WIDGET / "inventory" / "notifications.py"


def sources() -> list[Path]:
    return sorted([*WIDGET.rglob("*.py"), *WIDGET.rglob("*.sql")])


@pytest.mark.parametrize("what", sorted(SESSION_STATE))
def test_no_session_state_across_transactions(what: str) -> None:
    found = [
        f"{path.relative_to(WIDGET.parent)}: {match.group(0).strip()!r}"
        for path in sources()
        for match in SESSION_STATE[what].finditer(path.read_text())
    ]
    assert found == [], f"{what} does not survive PgBouncer's transaction mode: {found}"


def test_only_the_listener_listens() -> None:
    # LISTEN at the start of a string literal (Python) or of a line (SQL).
    listen = re.compile(r"""(f?["']|^\s*)LISTEN\s""", re.MULTILINE)
    found = [
        str(path.relative_to(WIDGET.parent))
        for path in sources()
        if path != LISTENER and listen.search(path.read_text())
    ]
    assert found == []
    assert listen.search(LISTENER.read_text())


#: One statement per connection can never reach psycopg's threshold of five runs.
ONE_STATEMENT = {WIDGET / "api" / "health.py"}


def test_every_one_off_connection_prepares_nothing() -> None:
    """A connection made outside the pool (commands, the listener, the demo provider) says
    ``prepare_threshold=None``: behind PgBouncer its fifth identical query would otherwise
    be prepared on one server connection and run on another."""
    missing = []
    for path in sorted(WIDGET.rglob("*.py")):
        if path in ONE_STATEMENT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and "psycopg" in ast.unparse(node.func.value)
                and "prepare_threshold" not in {k.arg for k in node.keywords}
            ):
                missing.append(f"{path.relative_to(WIDGET.parent)}:{node.lineno}")
    assert missing == []


def test_a_pooler_needs_a_direct_listen_url_and_is_named_when_wrong() -> None:
    from widget.settings import SettingsError, load_settings

    pooled = {
        "INNKEEP_DATABASE_URL": "postgresql://innkeep@127.0.0.1:6432/innkeep",
        "INNKEEP_DATABASE_POOLER": "pgbouncer",
    }
    with pytest.raises(SettingsError, match="INNKEEP_DATABASE_LISTEN_URL"):
        load_settings(pooled)
    with pytest.raises(SettingsError, match="INNKEEP_DATABASE_POOLER"):
        load_settings({**pooled, "INNKEEP_DATABASE_POOLER": "pgpool"})
    settings = load_settings(
        {**pooled, "INNKEEP_DATABASE_LISTEN_URL": "postgresql://innkeep@127.0.0.1:5432/innkeep"}
    )
    assert settings.pooled and settings.listen_url == "postgresql://innkeep@127.0.0.1:5432/innkeep"
    assert load_settings({}).listen_url is None and not load_settings({}).pooled
