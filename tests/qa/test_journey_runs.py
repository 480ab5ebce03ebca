"""`run_journeys` runs every journey asked for; only when a plain guest found no widget on
the page are the journeys after it not run (they all start from the widget). Journeys here
are stand-ins that need no browser: what is checked is the run's bookkeeping."""

from __future__ import annotations

from typing import Any

import pytest

from widget.testing import journeys
from widget.testing.journey_base import Run, WidgetMissing


def _journey(name: str, error: Exception | None = None) -> Any:
    def journey(run: Run) -> None:
        if error is not None:
            raise error

    journey.__name__ = name
    return journey


def _run(monkeypatch: pytest.MonkeyPatch, listed: list[Any], only: list[str] | None) -> Run:
    monkeypatch.setattr(journeys, "JOURNEYS", [(j, False) for j in listed])
    return journeys.run_journeys(
        None, "https://pensione.example/", may_book=False, shots=None, only=only
    )


def _said(run: Run) -> dict[str, tuple[bool, str]]:
    return {o.name: (o.passed, o.detail) for o in run.outcomes}


def test_a_failed_journey_chosen_first_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed = [
        _journey("widget_appears"),
        _journey("quote_adds_up", AssertionError("the breakdown's total is not the room's")),
        _journey("hold_shows_countdown"),
    ]
    run = _run(monkeypatch, listed, ["quote_adds_up", "hold_shows_countdown"])
    assert _said(run) == {
        "quote_adds_up": (False, "the breakdown's total is not the room's"),
        "hold_shows_countdown": (True, ""),
    }


def test_after_a_plain_guest_found_no_widget_the_rest_are_not_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = WidgetMissing("no Innkeep widget of property 'casa' (frame 0) appeared on …")
    listed = [
        _journey("widget_appears", AssertionError("no priced night is shown")),
        _journey("quote_adds_up", missing),
        _journey("hold_shows_countdown"),
    ]
    run = _run(monkeypatch, listed, None)
    said = _said(run)
    assert said["widget_appears"] == (False, "no priced night is shown")
    assert said["quote_adds_up"] == (False, str(missing))
    assert said["hold_shows_countdown"] == (False, "not run: no widget (see quote_adds_up)")
    assert "FAIL  hold_shows_countdown" in journeys.report(run)
