"""``innkeep webhooks list|resend``: the owner sees what was sent and sends one again."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from tests.deliveries.conftest import Receiver
from tests.deliveries.test_webhook_sending import enqueue_now
from tests.helpers import DEMO_TOML, property_toml
from widget.cli import main
from widget.db import Pool
from widget.deliveries.sender import send_webhooks
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def test_the_owner_lists_deliveries_and_resends_one(
    hooked: psycopg.Connection[Any],
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    cli: Any,
) -> None:
    receiver.statuses = [500]
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    await enqueue_now(pool, "booking.cancelled", "XYZ789")
    await send_webhooks(pool, sending_settings)

    code, out, _ = cli("webhooks", "list", "--property", "demo")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    failed = next(line for line in lines if "the endpoint answered 500" in line)
    ok = next(line for line in lines if line is not failed)
    assert "pending, next try" in failed and "1 attempt" in failed
    assert "delivered" in ok
    assert f"http://127.0.0.1:{receiver.port}/…" in out and "door-lock" not in out

    code, out, _ = cli("webhooks", "list", "--property", "demo", "--json")
    rows = {row["booking_reference"]: row for row in json.loads(out)}
    assert rows["XYZ789"]["state"] == "delivered" or rows["ABC123"]["state"] == "delivered"
    delivered = next(row for row in rows.values() if row["state"] == "delivered")
    assert delivered["next_attempt_at"] is None and delivered["attempts"] == 1
    assert set(delivered) >= {"id", "event", "state", "attempts", "next_attempt_at", "last_error"}

    code, out, _ = cli("webhooks", "resend", "--property", "demo", str(delivered["id"]))
    assert code == 0 and f"delivery {delivered['id']}" in out
    before = len(receiver.got)
    await send_webhooks(pool, sending_settings)
    again = receiver.got[before:]
    assert (
        len(again) == 1
        and again[0].verified()["data"]["reference"] == delivered["booking_reference"]
    )
    # The same message, so a receiver that already has it can tell.
    first = next(
        g
        for g in receiver.got[:before]
        if g.headers["webhook-id"] == again[0].headers["webhook-id"]
    )
    assert first.body == again[0].body


async def test_resend_refuses_what_it_cannot_do(
    hooked: psycopg.Connection[Any], receiver: Receiver, pool: Pool, cli: Any
) -> None:
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    code, _, err = cli("webhooks", "resend", "--property", "demo", "999999")
    assert code == 2 and "no webhook delivery has the id 999999" in err
    code, _, err = cli("webhooks", "list", "--property", "nowhere")
    assert code == 2 and "no property is called 'nowhere'" in err
    apply_property(hooked, parse_property(DEMO_TOML))  # the endpoint is removed
    code, out, _ = cli("webhooks", "list", "--property", "demo")
    assert "FAILED" in out and "removed from the property file" in out
    delivery = out.split()[0]
    code, _, err = cli("webhooks", "resend", "--property", "demo", delivery)
    assert code == 2 and "no longer in the property file" in err


async def test_resend_sends_only_the_named_propertys_delivery(
    hooked: psycopg.Connection[Any],
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    cli: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    await send_webhooks(pool, sending_settings)
    apply_property(hooked, parse_property(property_toml(slug="harbour")))
    [delivery] = json.loads(cli("webhooks", "list", "--property", "demo", "--json")[1])
    assert delivery["state"] == "delivered"

    code, out, err = cli("webhooks", "resend", "--property", "harbour", str(delivery["id"]))
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"innkeep: error: delivery {delivery['id']} is not one of harbour's deliveries "
        "(see innkeep webhooks list --property harbour)"
    ]
    code, _, err = cli("webhooks", "resend", "--property", "nowhere", str(delivery["id"]))
    assert code == 2 and "no property is called 'nowhere'" in err
    with pytest.raises(SystemExit) as refused:  # the property must be named
        cli("webhooks", "resend", str(delivery["id"]))
    assert refused.value.code == 2 and "--property" in capsys.readouterr().err
    # Nothing was queued again: the delivery stays delivered, and nothing more is sent.
    [after] = json.loads(cli("webhooks", "list", "--property", "demo", "--json")[1])
    assert after == delivery
    await send_webhooks(pool, sending_settings)
    assert len(receiver.got) == 1
