"""schemathesis over every public operation of a served instance: no answer is a server
error, and every answer (status, headers, body) is the one the OpenAPI document promises.

The service runs under uvicorn on 127.0.0.1 with the demo guesthouse and a real hold, so the
generated calls reach past the 404s (real slug, hold id, hold token and booking reference).
A fixed number of examples per operation keeps it inside the suite's time budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
    PositiveDataAcceptanceConfig,
)

from tests.conftest import TABLES, free_port
from tests.helpers import DEMO_TOML
from tests.served import served_in_thread
from tests.widget.test_openapi import a_quiet_night
from widget.app import create_app
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import DEV_SECRET_KEY, Settings

EXAMPLES_PER_OPERATION = 30


def _document() -> dict[str, Any]:
    """The OpenAPI document, from the app itself (building it needs no server)."""
    app = create_app(
        Settings(
            database_url="postgresql://schema-only",
            redis_url="redis://x",
            secret_key=DEV_SECRET_KEY,
        )
    )
    return app.openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(_document())
# A schema cannot say "check_out after check_in" or "the room sleeps two": a well-typed
# request that breaks such a rule is a documented 422 naming the field, not a rejected
# valid request. Every other check runs as schemathesis ships it.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=[*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"]
)


@pytest.fixture(scope="module")
def served(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The service on a free loopback port, with the demo guesthouse in a clean database."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        apply_property(conn, parse_property(DEMO_TOML))
    redis.Redis.from_url(redis_url).flushdb()
    settings_ = Settings(
        database_url=database_url,
        redis_url=redis_url,
        env="test",
        secret_key=DEV_SECRET_KEY,
        data_dir=tmp_path_factory.mktemp("fuzz"),
        background_jobs=False,
    )
    port = free_port()
    with served_in_thread(create_app(settings_), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def real_ids(served: str) -> dict[str, Any]:
    """A real hold (and its token), to fuzz the calls about one."""
    check_in, check_out = a_quiet_night()
    stay = {"room_type": "family-suite", "check_in": check_in, "check_out": check_out, "adults": 2}
    held = httpx.post(f"{served}/api/v1/properties/demo/holds", json=stay)
    assert held.status_code == 201, held.text
    return {"slug": "demo", "hold_id": held.json()["id"], "token": held.json()["token"]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    # The same examples on every run: a red suite is a finding, never a roll of the dice.
    derandomize=True,
    # The served app answers from another thread; a slow example is the machine, not the app.
    suppress_health_check=[HealthCheck.too_slow],
)
def test_every_operation_keeps_its_documented_promises(
    case: Any, served: str, real_ids: dict[str, str]
) -> None:
    path = case.meta.components.get("path") if case.meta else None
    if path is None or path.mode == GenerationMode.POSITIVE:
        # Well-formed ids are real ones, so the calls reach past "no such hold".
        for name in ("slug", "hold_id"):
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = real_ids[name]
        if case.headers and "X-Hold-Token" in case.headers:
            case.headers["X-Hold-Token"] = real_ids["token"]
    case.call_and_validate(base_url=served)
