"""docs/webhooks.md stays true: its verification example accepts a real delivery and
refuses a forged one, and its sample payload has the fields a real one has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.deliveries.conftest import SECRET, Receiver
from tests.deliveries.test_webhook_sending import book
from tests.helpers import DEMO_TOML
from tests.payments.conftest import HeldRoom
from widget.db import Pool
from widget.deliveries.sender import send_webhooks
from widget.properties.file import parse_property
from widget.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")


def block(language: str, containing: str) -> str:
    found = [b for b in re.findall(rf"```{language}\n(.*?)```", DOC, re.S) if containing in b]
    assert len(found) == 1, f"one {language} block with {containing!r}"
    return found[0]


def test_the_documented_file_table_is_a_valid_endpoint() -> None:
    spec = parse_property(DEMO_TOML + "\n" + block("toml", "[[webhooks]]"))
    assert spec.webhooks[0].include_guest is False


async def test_the_verification_example_takes_a_real_delivery_and_refuses_a_forged_one(
    hooked: psycopg.Connection[Any],
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = await book(demo_api, held)
    await send_webhooks(pool, sending_settings)
    (got,) = receiver.got
    example: dict[str, Any] = {}
    code = block("python", "def receive").replace(
        re.search(r'SECRET = "(whsec_[^"]+)"', DOC)[1],
        SECRET,  # type: ignore[index]
    )
    exec(code, example)
    event = example["receive"](got.body, got.headers)
    assert event is not None and event["data"]["reference"] == reference
    assert reference in capsys.readouterr().out
    forged = got.body.replace(b'"Room 1"', b'"Room 2"')
    assert example["receive"](forged, got.headers) is None

    sample = json.loads(block("json", '"booking.confirmed"'))
    real = event["data"]
    assert set(sample) == set(event)
    # The sample shows an endpoint with include_guest; the real one had it off.
    assert set(sample["data"]) == set(real) | {"guest"}
