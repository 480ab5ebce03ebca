"""The console's tests share one starting state, put back before each (tests/starting_state.py):
nothing a test writes may reach the next one, ids included."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.console.conftest import add_account, add_booking
from tests.starting_state import Snapshot, Tables


def test_what_a_test_wrote_is_gone_and_the_ids_start_again(
    people: psycopg.Connection[Any],
    console_tables: Tables,
    console_start: Snapshot,
    password_hash: str,
) -> None:
    assert console_tables.snapshot(people) == console_start
    add_booking(people, "LEFT1", "2027-06-01", "2027-06-03")
    add_account(people, "left@example.com", "demo", "staff", password_hash)
    people.execute("UPDATE property SET name = 'Renamed' WHERE slug = 'demo'")
    assert console_tables.snapshot(people) != console_start

    console_tables.restore(people, console_start)
    assert console_tables.snapshot(people) == console_start
    row = people.execute(
        "INSERT INTO console_user (email, password_hash) VALUES ('next@example.com', %s)"
        " RETURNING id",
        (password_hash,),
    ).fetchone()
    assert row is not None and row[0] == 4  # after the three accounts of the starting state


def test_emptied_as_truncate_leaves_them(
    people: psycopg.Connection[Any], console_tables: Tables
) -> None:
    console_tables.restore(people)
    emptied = console_tables.snapshot(people)
    assert emptied.rows == {}
    assert emptied.sequences == {
        oid: (start, False) for oid, (_, start) in console_tables.sequences.items()
    }
    assert len(console_tables.ordered) > 30  # every table TRUNCATE … CASCADE reaches
