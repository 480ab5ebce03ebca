"""A failure that repeats on every request is told to the operator now and then."""

from __future__ import annotations

import logging

import pytest

from widget.outages import OutageLog


def test_a_lasting_outage_warns_once_a_minute_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    outage = OutageLog(logging.getLogger("test.outage"), "the cache", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.outage"):
        for _ in range(6):  # a failing request every ten seconds
            outage.failed(ConnectionError("refused"))
            now[0] += 10
        outage.failed(ConnectionError("refused"))  # a minute after the first warning
    assert [r.getMessage() for r in caplog.records] == [
        "the cache unavailable: refused",
        "the cache unavailable (5 more failures since the last warning): refused",
    ]
