"""Numbered plain-SQL migrations, applied in order and recorded in ``schema_migration``.

Nothing here keeps session state, so ``migrate`` works through PgBouncer in transaction
mode as well as directly: each migration is applied in its own transaction under a
transaction-level advisory lock (concurrent runs wait, then find it done).

A file whose first line is ``-- innkeep: no-transaction`` runs outside a transaction, one
statement at a time (``CREATE INDEX CONCURRENTLY`` refuses a transaction block). Its
statements each end with ``;`` at the end of a line (no function bodies) and must be safe to
run again (``IF NOT EXISTS``): a runner that dies half-way leaves them half-done, and the
next run starts the file again. While it runs, a lease row in ``schema_migration_lease``
keeps other runners waiting rather than running it beside it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
#: Serialises concurrent `migrate` runs (several workers starting at once), one transaction
#: at a time: a transaction-level lock, which a transaction pooler keeps for its transaction.
_LOCK_KEY = 0x1DEE9  # arbitrary, fixed
#: The first line of a migration that must run outside a transaction.
NO_TRANSACTION = "-- innkeep: no-transaction"
#: A statement of a no-transaction file ends with ``;`` at the end of its line.
_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?$", re.MULTILINE)
#: How long a runner may take over a no-transaction file before another may start it again.
LEASE_SECONDS = 3600
#: How often a runner waiting for another's no-transaction file looks again.
WAIT_SECONDS = 0.5

_BOOTSTRAP = (
    """CREATE TABLE IF NOT EXISTS schema_migration (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS schema_migration_lease (
           version integer PRIMARY KEY,
           holder uuid NOT NULL,
           until timestamptz NOT NULL)""",
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def in_transaction(self) -> bool:
        """False for a file marked ``-- innkeep: no-transaction`` on its first line."""
        return self.sql.lstrip().partition("\n")[0].strip() != NO_TRANSACTION

    def statements(self) -> list[str]:
        """The file's statements, one by one (for a no-transaction file)."""
        parts = _STATEMENT_END.split(self.sql)
        return [p.strip() for p in parts if _without_comments(p).strip()]


def _without_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def available(folder: Path | None = None) -> list[Migration]:
    """Every migration shipped with this version of Innkeep (or in ``folder``), in order."""
    entries: Iterable[Any] = (
        folder.iterdir()
        if folder is not None
        else resources.files("widget.sql").joinpath("migrations").iterdir()
    )
    found = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


Connection = psycopg.Connection[tuple[Any, ...]]


def migrate(conninfo: str, folder: Path | None = None) -> list[Migration]:
    """Apply the migrations this database has not seen; return those applied."""
    applied: list[Migration] = []
    # One-off: no prepared statements (PgBouncer may give each transaction another server).
    with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn:
        with conn.transaction():
            _lock(conn)
            for statement in _BOOTSTRAP:
                conn.execute(statement)
        for migration in available(folder):
            if _apply(conn, migration):
                applied.append(migration)
    return applied


def _lock(conn: Connection) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))


def _done(conn: Connection, version: int) -> bool:
    found = conn.execute("SELECT 1 FROM schema_migration WHERE version = %s", (version,))
    return found.fetchone() is not None


def _record(conn: Connection, migration: Migration) -> None:
    conn.execute(
        "INSERT INTO schema_migration (version, name) VALUES (%s, %s)",
        (migration.version, migration.name),
    )


def _apply(conn: Connection, migration: Migration) -> bool:
    """Apply one migration unless it is done; True if this run applied it."""
    if not migration.in_transaction:
        return _apply_outside(conn, migration)
    with conn.transaction():
        _lock(conn)
        if _done(conn, migration.version):
            return False
        conn.execute(migration.sql.encode())
        _record(conn, migration)
    return True


def _apply_outside(conn: Connection, migration: Migration) -> bool:
    """A no-transaction file: claim its lease, run each statement on its own, record it."""
    holder = uuid.uuid4()
    while True:
        with conn.transaction():
            _lock(conn)
            if _done(conn, migration.version):
                return False
            claimed = conn.execute(
                """INSERT INTO schema_migration_lease (version, holder, until)
                   VALUES (%s, %s, clock_timestamp() + make_interval(secs => %s))
                   ON CONFLICT (version) DO UPDATE
                   SET holder = EXCLUDED.holder, until = EXCLUDED.until
                   WHERE schema_migration_lease.until < clock_timestamp()
                   RETURNING holder""",
                (migration.version, holder, LEASE_SECONDS),
            ).fetchone()
        if claimed is not None:
            break
        time.sleep(WAIT_SECONDS)  # another runner is applying it: wait for its record
    try:
        for statement in migration.statements():
            conn.execute(statement.encode())
        with conn.transaction():
            _record(conn, migration)
    finally:
        conn.execute(
            "DELETE FROM schema_migration_lease WHERE version = %s AND holder = %s",
            (migration.version, holder),
        )
    return True
