"""The loader's hint (which properties allow the page asking) on a deployment of thousands
of guesthouses: found through an index, never a scan of every property, and true the moment
an owner changes their sites."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.embedding import HINT_SIZE
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.sql import queries

#: A deployment big enough that the planner would rather use an index than read the table.
GUESTHOUSES = 3000


def _hint(source: str) -> list[str]:
    found = re.search(r"var hinted = (\[[^\]]*\]);", source)
    assert found, "the loader carries its hint"
    return json.loads(found[1])  # type: ignore[no-any-return]


def _with_origins(*origins: str) -> str:
    listed = ", ".join(f'"{o}"' for o in origins)
    return re.sub(r"(?m)^allowed_origins = .*$", f"allowed_origins = [{listed}]", DEMO_TOML)


async def test_the_hint_follows_the_owner_s_sites_as_they_change(
    client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    async def hinted(site: str) -> list[str]:
        return _hint((await client.get("/widget.js", headers={"Referer": site + "/"})).text)

    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(_with_origins("https://old.example")))
        assert await hinted("https://old.example") == ["demo"]
        apply_property(conn, parse_property(_with_origins("https://NEW.example:443")))
        assert await hinted("https://old.example") == []
        assert await hinted("https://new.example") == ["demo"]
        apply_property(conn, parse_property(_with_origins()))
        assert await hinted("https://new.example") == []


def test_the_hint_is_found_through_an_index_among_thousands(
    db: psycopg.Connection[tuple[object, ...]],
) -> None:
    """Any O(properties) step on the loader's path is a bug: the hint must not read every
    property's row (seen as a Seq Scan in the plan) to find the few that allow one site."""
    db.execute(
        """INSERT INTO property (slug, name, contact_email, time_zone, currency, locale,
                                 allowed_origins, check_in_time, check_out_time,
                                 cancellation_policy)
           SELECT 'g' || n, 'Guesthouse ' || n, 'owner@example.com', 'Europe/Rome', 'EUR', 'en',
                  ARRAY['https://g' || n || '.example', 'https://shared-' || n %% 50 || '.example'],
                  '15:00', '10:00', '{}'
           FROM generate_series(1, %s) AS n""",
        (GUESTHOUSES,),
    )
    db.execute("ANALYZE property")  # the planner sees the deployment's size
    plan = "\n".join(
        str(row[0])
        for row in db.execute(
            "EXPLAIN " + queries("embedding")["properties_allowing"],
            {"origin": "https://g1234.example", "most": HINT_SIZE},
        ).fetchall()
    )
    assert "Seq Scan on property" not in plan, plan
    found = db.execute(
        queries("embedding")["properties_allowing"],
        {"origin": "https://shared-7.example", "most": HINT_SIZE},
    ).fetchall()
    # 60 properties share that site (n mod 50 = 7); the hint names at most HINT_SIZE.
    assert len(found) == HINT_SIZE
    db.rollback()


@pytest.fixture(autouse=True)
def _clean(clean: None) -> None:
    """Every test here starts from an empty deployment."""
