"""Innkeep's pytest plugin (entry point ``pytest11``), for QA engineers' own journeys.

Fixtures:

- ``booking_widget``: ``booking_widget(page)`` finds the Innkeep widget on any host page
  (inline, or behind the "Book now" button) and returns a `BookingWidget` page object.
- ``innkeep_testing_api``: a client of a staging deployment's testing API (disposable
  properties, their clocks, their e-mails), from ``--innkeep-service`` / ``INNKEEP_SERVICE_URL``
  and ``--innkeep-token`` / ``INNKEEP_TESTING_TOKEN``.

Playwright is imported only when ``booking_widget`` is used, so installing Innkeep changes
nothing for a project's plain pytest run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from widget.testing.testing_api import TestingApi

if TYPE_CHECKING:
    from widget.testing.booking_widget import BookingWidget


def pytest_addoption(parser: pytest.Parser) -> None:
    """The service and token of a staging deployment, for ``innkeep_testing_api``."""
    group = parser.getgroup("innkeep", "Innkeep QA kit")
    group.addoption(
        "--innkeep-service",
        default=None,
        help="the Innkeep service's URL (default: INNKEEP_SERVICE_URL)",
    )
    group.addoption(
        "--innkeep-token",
        default=None,
        help="the testing API's token (default: INNKEEP_TESTING_TOKEN)",
    )


@pytest.fixture
def booking_widget() -> Callable[..., BookingWidget]:
    """``booking_widget(page, index=0)``: the widget on ``page`` as a page object."""
    from widget.testing.booking_widget import BookingWidget

    def find(page: Any, index: int = 0, timeout: float = 15_000) -> BookingWidget:
        return BookingWidget.find(page, index=index, timeout=timeout)

    return find


@pytest.fixture(scope="session")
def innkeep_testing_api(pytestconfig: pytest.Config) -> TestingApi:
    """The testing API of the deployment under test; skips, naming what is missing, unless
    both its service and its token are given."""
    service = pytestconfig.getoption("--innkeep-service") or os.environ.get("INNKEEP_SERVICE_URL")
    token = pytestconfig.getoption("--innkeep-token") or os.environ.get("INNKEEP_TESTING_TOKEN")
    missing = [
        option
        for option, given in (
            ("--innkeep-service (or INNKEEP_SERVICE_URL)", service),
            ("--innkeep-token (or INNKEEP_TESTING_TOKEN)", token),
        )
        if not given
    ]
    if missing or not service or not token:
        pytest.skip(f"no testing API: give {' and '.join(missing)}")
    return TestingApi(service, token)
