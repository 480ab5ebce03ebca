"""A starting state made once and put back before each test, cheaper than ``TRUNCATE`` and
building it again.

``TRUNCATE`` of the suite's tables makes new files for every table and index (~40 tables:
0.15-0.25 s under load), and seeding again applies property files and hashes nothing twice
but still runs the whole apply. Here the tables ``TRUNCATE … CASCADE`` would empty are
emptied with ``DELETE`` (a few rows each: milliseconds), the starting rows are written back
with ``COPY`` from a snapshot taken once, and every sequence those tables own is set back to
where the snapshot left it: each test sees exactly the rows and ids a fresh seed gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

import psycopg
from psycopg import sql

_REACHED = """
WITH RECURSIVE reached(oid) AS (
    SELECT unnest(%(tables)s::regclass[])::oid
    UNION
    SELECT c.conrelid FROM pg_constraint c JOIN reached r ON c.confrelid = r.oid
    WHERE c.contype = 'f'
)
SELECT r.oid, n.nspname, c.relname
FROM reached r JOIN pg_class c ON c.oid = r.oid JOIN pg_namespace n ON n.oid = c.relnamespace
"""

_REFERENCES = """
SELECT conrelid, confrelid FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(%(oids)s) AND confrelid = ANY(%(oids)s)
"""

# Serial ('a') and identity ('i') sequences of the tables: what RESTART IDENTITY restarts.
_SEQUENCES = """
SELECT s.oid, ps.schemaname, ps.sequencename, ps.start_value
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_sequences ps ON format('%%I.%%I', ps.schemaname, ps.sequencename)::regclass = s.oid
WHERE s.relkind = 'S' AND d.refobjid = ANY(%(oids)s)
"""


@dataclass(frozen=True)
class Snapshot:
    """The rows of each non-empty table (binary ``COPY``) and each sequence's position."""

    #: By the table's (schema, name).
    rows: dict[tuple[str, str], bytes] = field(default_factory=dict)
    #: By the sequence's oid: its last value and whether it was used.
    sequences: dict[int, tuple[int, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Tables:
    """The tables ``TRUNCATE names CASCADE`` reaches, parents before the tables that
    reference them, and the sequences they own (with their start values)."""

    #: Each table's (schema, name).
    ordered: tuple[tuple[str, str], ...]
    #: Each sequence's (schema, name) and start value, by its oid.
    sequences: dict[int, tuple[tuple[str, str], int]]

    @classmethod
    def reached_from(cls, conn: psycopg.Connection[Any], names: str) -> Tables:
        tables = [name.strip() for name in names.split(",")]
        found = {
            oid: (schema, name)
            for oid, schema, name in conn.execute(_REACHED, {"tables": tables}).fetchall()
        }
        oids = list(found)
        graph: dict[int, set[int]] = {oid: set() for oid in oids}
        for child, parent in conn.execute(_REFERENCES, {"oids": oids}).fetchall():
            if child != parent:
                graph[child].add(parent)
        ordered = tuple(found[oid] for oid in TopologicalSorter(graph).static_order())
        sequences = {
            oid: ((schema, name), start)
            for oid, schema, name, start in conn.execute(_SEQUENCES, {"oids": oids}).fetchall()
        }
        return cls(ordered, sequences)

    def snapshot(self, conn: psycopg.Connection[Any]) -> Snapshot:
        """What the tables hold now, to `restore` later."""
        taken = Snapshot()
        with conn.cursor() as cur:
            for table in self.ordered:
                name = sql.Identifier(*table)
                if cur.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(name)).fetchone():
                    query = sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(name)
                    with cur.copy(query) as copy:
                        taken.rows[table] = b"".join(bytes(chunk) for chunk in copy)
            for oid, (sequence, _) in self.sequences.items():
                query = sql.SQL("SELECT last_value, is_called FROM {}").format(
                    sql.Identifier(*sequence)
                )
                row = cur.execute(query).fetchone()
                assert row is not None
                taken.sequences[oid] = (int(row[0]), bool(row[1]))
        return taken

    def restore(self, conn: psycopg.Connection[Any], snapshot: Snapshot | None = None) -> None:
        """Empty the tables and put ``snapshot`` back (nothing: as ``TRUNCATE … RESTART
        IDENTITY CASCADE`` leaves them), in one transaction."""
        taken = snapshot or Snapshot()
        emptying = sql.SQL("; ").join(
            sql.SQL("DELETE FROM {}").format(sql.Identifier(*table))
            for table in reversed(self.ordered)
        )
        positions = [
            (oid, *taken.sequences.get(oid, (start, False)))
            for oid, (_, start) in self.sequences.items()
        ]
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(emptying)
            for table in self.ordered:
                if table in taken.rows:
                    query = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(
                        sql.Identifier(*table)
                    )
                    with cur.copy(query) as copy:
                        copy.write(taken.rows[table])
            cur.execute(
                """SELECT setval(oid::regclass, position, called)
                   FROM unnest(%s::oid[], %s::bigint[], %s::bool[]) AS s(oid, position, called)""",
                [list(column) for column in zip(*positions, strict=True)] or [[], [], []],
            )
