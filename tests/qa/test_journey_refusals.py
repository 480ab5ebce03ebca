"""`innkeep qa journeys` never books where money could be real: not against a service
without test mode, not against a widget that pays with a live Stripe key; ``--read-only``
runs only the journeys that book nothing. And the breakdown check catches a wrong sum.

The service here is a small stand-in (the real one refuses to start in test mode beside a
live secret key, so a live publishable key beside test mode is a misconfiguration only a
stand-in can show); no browser is started: the command refuses before it would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape

import pytest

from tests.qa.standin import PROBE, PROBE_ANSWER, StandIn, serving
from widget.cli import main
from widget.testing.journey_base import amount
from widget.testing.journey_list import _check_breakdown
from widget.testing.journeys import JourneysRefused, check_may_book


class _Service(StandIn):
    test_mode = True
    publishable_key = "pk_test_standin"

    def do_GET(self) -> None:
        if self.path == PROBE and self.test_mode:
            self.send(404, "application/json", PROBE_ANSWER)
        elif self.path.startswith("/embed/casa"):
            config = json.dumps({"stripe_publishable_key": self.publishable_key})
            page = f'<script type="application/json" id="innkeep-config">{escape(config)}</script>'
            self.send(200, "text/html", page)
        else:
            self.send(404, "text/plain", "Not Found")


def _serve(**kind: object) -> Iterator[str]:
    with serving(_Service, **kind) as url:
        yield url


@pytest.fixture
def test_mode_service() -> Iterator[str]:
    yield from _serve()


@pytest.fixture
def live_key_service() -> Iterator[str]:
    yield from _serve(publishable_key="pk_live_51Hreal")


@pytest.fixture
def plain_service() -> Iterator[str]:
    yield from _serve(test_mode=False)


def journeys(service: str, *extra: str) -> list[str]:
    return [
        "qa",
        "journeys",
        "--site",
        f"{service}/",
        "--service",
        service,
        "--property",
        "casa",
        "--token",
        "a-testing-token",
        *extra,
    ]


def test_a_service_in_test_mode_with_a_test_key_may_be_booked(test_mode_service: str) -> None:
    assert check_may_book(test_mode_service, "a-testing-token", False, "casa") is True


def test_a_widget_paying_with_a_live_stripe_key_is_refused(
    live_key_service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(JourneysRefused, match="live Stripe key"):
        check_may_book(live_key_service, "a-testing-token", False, "casa")
    assert main(journeys(live_key_service)) == 2
    said = capsys.readouterr().err
    assert "refusing to book" in said and "live Stripe key" in said and "--read-only" in said
    assert "pk_live_51Hreal" not in said  # the key is named, not printed whole
    assert check_may_book(live_key_service, "a-testing-token", True, "casa") is False


def test_a_service_not_in_test_mode_is_refused(
    plain_service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(journeys(plain_service)) == 2
    said = capsys.readouterr().err
    assert "not in test mode" in said and "--read-only" in said
    assert check_may_book(plain_service, None, True) is False  # read-only: nothing to refuse
    with pytest.raises(JourneysRefused, match="testing token"):
        check_may_book(plain_service, None, False)


def test_an_unknown_journey_or_stand_in_is_named_before_anything_runs(
    test_mode_service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(journeys(test_mode_service, "--journey", "booking_complete")) == 2
    said = capsys.readouterr().err
    assert "--journey booking_complete: no such journey" in said and "booking_completes" in said
    assert main(journeys(test_mode_service, "--stripe-standin", "127.0.0.1:9")) == 2
    assert "--stripe-standin 127.0.0.1:9: give the stand-in's URL" in capsys.readouterr().err


def _rows(total: str, night: str = "€219.00") -> list[dict[str, str]]:
    return [
        {"kind": "rule", "label": "Base rate", "shown": "€380.00"},
        {"kind": "rule", "label": "Weekend", "shown": "+€58.00"},
        {"kind": "night-row", "label": "Night 1", "shown": "€219.00"},
        {"kind": "night-row", "label": "Night 2", "shown": night},
        {"kind": "rule", "label": "Cleaning", "shown": "€25.00"},
        {"kind": "rule", "label": "VAT", "shown": "€42.09 (included)"},
        {"kind": "sum", "label": "Total", "shown": total},
        {"kind": "sum", "label": "Paid now", "shown": "€138.90"},
        {"kind": "sum", "label": "Later", "shown": "€324.10"},
    ]


def test_the_breakdown_check_passes_a_true_sum_and_names_a_wrong_one() -> None:
    _check_breakdown(_rows("€463.00"), 46300)
    with pytest.raises(AssertionError, match="do not make the total"):
        _check_breakdown(_rows("€463.00", night="€209.00"), 46300)
    with pytest.raises(AssertionError, match="not the room's"):
        _check_breakdown(_rows("€463.00"), 46400)
    assert amount("-1.234,50 €") == -123450 and amount("+€10.00") == 1000
