"""The testing API of test mode (decision 16), at the HTTP level: who may call it, where it
exists at all, and what its calls do to a disposable property."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from redis import Redis

from tests.conftest import with_settings
from tests.helpers import property_toml
from tests.payments.conftest import GUEST
from widget.app import create_app
from widget.payments.demo_provider import DemoProvider
from widget.settings import Settings, SettingsError, load_settings

TOKEN = "qa-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TOML = {"Content-Type": "application/toml"}
API = "/api/testing/v1"


def staging(settings: Settings, **changes: object) -> Settings:
    return with_settings(
        settings,
        env="staging",
        testing_token=TOKEN,
        secret_key="staging-secret-key-0123456789",
        public_url="http://127.0.0.1:8000",
        **changes,
    )


@pytest.fixture
async def qa_api(settings: Settings, clean: None) -> AsyncIterator[Any]:
    async with AsyncTestClient(app=create_app(staging(settings))) as client:
        yield client


async def make_property(client: Any, slug: str = "casa") -> dict[str, Any]:
    made = await client.post(
        f"{API}/properties", content=property_toml(slug), headers={**AUTH, **TOML}
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def a_quiet_night() -> dict[str, Any]:
    day = date.today() + timedelta(days=290)
    day += timedelta(days=(0 - day.weekday()) % 7)
    return {
        "room_type": "garden-single",
        "check_in": str(day),
        "check_out": str(day + timedelta(days=1)),
        "adults": 1,
    }


async def test_the_testing_api_is_absent_without_staging_and_a_token(
    settings: Settings, clean: None
) -> None:
    for absent in (settings, with_settings(settings, testing_token=TOKEN)):
        async with AsyncTestClient(app=create_app(absent)) as client:
            answer = await client.post(
                f"{API}/properties", content=property_toml("casa"), headers={**AUTH, **TOML}
            )
            assert answer.status_code == 404
            assert answer.json()["error"] == "not_found"


async def test_a_missing_or_wrong_token_is_refused_and_changes_nothing(
    qa_api: Any, db: psycopg.Connection[Any]
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        answer = await qa_api.post(
            f"{API}/properties", content=property_toml("casa"), headers={**headers, **TOML}
        )
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert db.execute("SELECT count(*) FROM property").fetchone() == (0,)


def test_the_token_is_refused_at_start_up_in_production_and_beside_a_live_key() -> None:
    production = {
        "INNKEEP_ENV": "production",
        "INNKEEP_TESTING_TOKEN": TOKEN,
        "INNKEEP_SECRET_KEY": "production-secret-key-0123",
        "INNKEEP_DATABASE_URL": "postgresql://db/innkeep",
        "INNKEEP_REDIS_URL": "redis://cache",
        "INNKEEP_PUBLIC_URL": "https://book.example.com",
    }
    with pytest.raises(SettingsError, match="INNKEEP_TESTING_TOKEN is refused in production"):
        load_settings(production)
    live = {
        **production,
        "INNKEEP_ENV": "staging",
        "INNKEEP_STRIPE_SECRET_KEY": "sk_live_abc",
        "INNKEEP_STRIPE_PUBLISHABLE_KEY": "pk_live_abc",
        "INNKEEP_STRIPE_WEBHOOK_SECRET": "whsec_abc",
    }
    with pytest.raises(SettingsError, match="live Stripe key"):
        load_settings(live)
    # Staging is reachable from outside: a real secret key and its public address, as
    # production; with them and a test key it starts, with the API on.
    test_key = {**live, "INNKEEP_STRIPE_SECRET_KEY": "sk_test_abc"}
    assert load_settings(test_key).testing_api
    for missing in ("INNKEEP_SECRET_KEY", "INNKEEP_PUBLIC_URL"):
        with pytest.raises(SettingsError, match=f"{missing} must be set in staging"):
            load_settings({k: v for k, v in test_key.items() if k != missing})


async def test_a_disposable_property_gets_a_qa_slug_and_the_callers_origins(
    qa_api: Any,
) -> None:
    toml = property_toml("casa").replace(
        "allowed_origins = [", 'allowed_origins = ["https://staging.pensione.example", ', 1
    )
    made = await qa_api.post(f"{API}/properties", content=toml, headers={**AUTH, **TOML})
    assert made.status_code == 201, made.text
    slug = made.json()["slug"]
    assert slug.startswith("qa-") and slug.endswith("-casa")
    assert "https://staging.pensione.example" in made.json()["allowed_origins"]
    public = await qa_api.get(f"/api/v1/properties/{slug}")
    assert public.status_code == 200
    bad = await qa_api.post(
        f"{API}/properties", content="[property]\nslug = 1\n", headers={**AUTH, **TOML}
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "body"


async def test_moving_a_property_clock_expires_its_hold_without_sleeping(qa_api: Any) -> None:
    slug = (await make_property(qa_api))["slug"]
    stay = a_quiet_night()
    holds = f"/api/v1/properties/{slug}/holds"
    first = await qa_api.post(holds, json=stay, headers={"X-Innkeep-Session": "guest-one"})
    assert first.status_code == 201, first.text
    second = await qa_api.post(holds, json=stay, headers={"X-Innkeep-Session": "guest-two"})
    assert second.status_code == 409  # the only single room is held

    moved = await qa_api.post(f"{API}/properties/{slug}/clock", json={"seconds": 601}, headers=AUTH)
    assert moved.status_code == 200, moved.text
    assert moved.json()["shift_seconds"] == 601

    again = await qa_api.post(holds, json=stay, headers={"X-Innkeep-Session": "guest-two"})
    assert again.status_code == 201, again.text
    # The new hold runs for its full time on the property's clock, the old one's is up.
    now = datetime.fromisoformat(moved.json()["now"])
    assert datetime.fromisoformat(again.json()["expires_at"]) > now + timedelta(seconds=590)
    assert datetime.fromisoformat(first.json()["expires_at"]) <= now


async def test_a_clock_moves_only_for_the_testing_apis_properties(
    qa_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    other = await qa_api.post(f"{API}/properties/demo/clock", json={"seconds": 60}, headers=AUTH)
    assert other.status_code == 404
    slug = (await make_property(qa_api))["slug"]
    for seconds in (0, -5, 10**9):
        wrong = await qa_api.post(
            f"{API}/properties/{slug}/clock", json={"seconds": seconds}, headers=AUTH
        )
        assert wrong.status_code == 422 and wrong.json()["field"] == "seconds"
    # A day later the property's "today" is tomorrow; the demo's is not moved.
    today = (await qa_api.get(f"/api/v1/properties/{slug}")).json()["today"]
    await qa_api.post(f"{API}/properties/{slug}/clock", json={"seconds": 86400}, headers=AUTH)
    later = (await qa_api.get(f"/api/v1/properties/{slug}")).json()["today"]
    assert date.fromisoformat(later) == date.fromisoformat(today) + timedelta(days=1)
    demo = (await qa_api.get("/api/v1/properties/demo")).json()["today"]
    assert demo == today


async def test_deleting_a_test_property_removes_everything_it_holds(
    qa_api: Any, db: psycopg.Connection[Any], redis_url: str
) -> None:
    slug = (await make_property(qa_api))["slug"]
    held = await qa_api.post(f"/api/v1/properties/{slug}/holds", json=a_quiet_night())
    assert held.status_code == 201, held.text
    hold = held.json()
    token = {"X-Hold-Token": hold["token"]}
    checkout = await qa_api.post(
        f"/api/v1/holds/{hold['id']}/checkout",
        json=GUEST,
        headers={**token, "Idempotency-Key": "k"},
    )
    assert checkout.status_code == 200, checkout.text
    confirmed = await qa_api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=token)
    assert confirmed.status_code == 200, confirmed.text
    (payment_ref,) = db.execute(
        "SELECT payment_ref FROM reservation WHERE id = %s", (hold["id"],)
    ).fetchone()
    await DemoProvider(db.info.dsn).refund(payment_ref, 100, idempotency_key="part-back")

    emails = await qa_api.get(f"{API}/properties/{slug}/emails", headers=AUTH)
    assert emails.status_code == 200
    assert GUEST["guest"]["email"] in {e["recipient"] for e in emails.json()}
    assert {e["reference"] for e in emails.json()} == {confirmed.json()["reference"]}
    (property_id,) = db.execute("SELECT id FROM property WHERE slug = %s", (slug,)).fetchone()
    redis = Redis.from_url(redis_url)
    assert redis.keys(f"innkeep:{{p:{property_id}}}:*")

    gone = await qa_api.delete(f"{API}/properties/{slug}", headers=AUTH)
    assert gone.status_code == 200, gone.text
    assert (await qa_api.get(f"/api/v1/properties/{slug}")).status_code == 404
    for table in ("property", "reservation", "room_type", "unit"):
        column = "id" if table == "property" else "property_id"
        count = db.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", (property_id,))
        assert count.fetchone() == (0,), table
    assert db.execute("SELECT count(*) FROM outbox_message").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM demo_refund").fetchone() == (0,)  # with its payment
    assert not redis.keys(f"innkeep:{{p:{property_id}}}:*")
    again = await qa_api.delete(f"{API}/properties/{slug}", headers=AUTH)
    assert again.status_code == 404
