"""The migration runner: files that must run outside a transaction (CREATE INDEX
CONCURRENTLY), concurrent runs, and runs through PgBouncer in transaction mode."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from widget.migrate import NO_TRANSACTION, migrate
from widget.testing.pooler import PgBouncer

TABLE = """CREATE TABLE stay (id bigint PRIMARY KEY, nights int NOT NULL);
INSERT INTO stay SELECT g, g % 7 FROM generate_series(1, 1000) g;
"""
CONCURRENT_INDEX = f"""{NO_TRANSACTION}
-- Built without blocking writes to the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS stay_nights ON stay (nights);
CREATE INDEX CONCURRENTLY IF NOT EXISTS stay_nights_id ON stay (nights, id);
"""


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def folder_with(tmp_path: Path, **files: str) -> Path:
    for name, sql in files.items():
        (tmp_path / f"{name}.sql").write_text(sql)
    return tmp_path


def valid_indexes(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'stay'::regclass AND i.indisvalid AND NOT i.indisprimary"""
        ).fetchall()
    return {r[0] for r in rows}


def test_a_no_transaction_file_builds_its_indexes_concurrently_once(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    url = fresh_database(servers[0], "innkeep_migrate_outside")
    folder = folder_with(tmp_path, **{"0001_stay": TABLE, "0002_stay_index": CONCURRENT_INDEX})
    assert [m.version for m in migrate(url, folder)] == [1, 2]
    assert valid_indexes(url) == {"stay_nights", "stay_nights_id"}
    assert migrate(url, folder) == []
    with psycopg.connect(url) as conn:
        leases = conn.execute("SELECT count(*) FROM schema_migration_lease").fetchone()
    assert leases == (0,)


def test_without_the_marker_a_concurrent_index_is_refused(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    """The marker is what makes it work: inside a transaction Postgres refuses it."""
    url = fresh_database(servers[0], "innkeep_migrate_marker")
    unmarked = CONCURRENT_INDEX.replace(NO_TRANSACTION, "-- no marker")
    folder = folder_with(tmp_path, **{"0001_stay": TABLE, "0002_stay_index": unmarked})
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        migrate(url, folder)


def test_a_lapsed_lease_of_a_runner_that_died_is_taken_over(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    url = fresh_database(servers[0], "innkeep_migrate_lease")
    folder = folder_with(tmp_path, **{"0001_stay": TABLE})
    migrate(url, folder)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO schema_migration_lease
               VALUES (2, gen_random_uuid(), clock_timestamp() - interval '1 second')"""
        )
    (folder / "0002_stay_index.sql").write_text(CONCURRENT_INDEX)
    assert [m.version for m in migrate(url, folder)] == [2]
    assert valid_indexes(url) == {"stay_nights", "stay_nights_id"}


def test_concurrent_runs_through_pgbouncer_apply_each_migration_once(
    servers: tuple[str, str], pgbouncer: PgBouncer, tmp_path: Path
) -> None:
    """Four runners at once (as workers starting together), two through the pooler in
    transaction mode, two directly: every migration is applied by exactly one of them."""
    direct = fresh_database(servers[0], "innkeep_migrate_race")
    pooled = pgbouncer.url("innkeep_migrate_race")
    folder = folder_with(
        tmp_path,
        **{"0001_stay": TABLE, "0002_stay_index": CONCURRENT_INDEX},
        **{f"00{n}_more_{n}": f"ALTER TABLE stay ADD COLUMN c{n} int;" for n in range(10, 20)},
    )
    applied: list[int] = []
    errors: list[BaseException] = []

    def run(url: str) -> None:
        try:
            applied.extend(m.version for m in migrate(url, folder))
        except BaseException as exc:
            errors.append(exc)

    runners = [threading.Thread(target=run, args=(u,)) for u in (pooled, direct, pooled, direct)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
    assert errors == []
    assert sorted(applied) == [1, 2, *range(10, 20)]
    assert valid_indexes(direct) == {"stay_nights", "stay_nights_id"}
