"""`innkeep qa journeys` reads the page's script tag even when --service and --property
are given: the journeys book through the widget the page embeds, so the safety checks must
look at that one. Given ones that differ from the page's are refused (exit 2, one line
naming both) before any browser starts; the tag's property goes to the journeys.

The service and the guesthouse's page are small stand-ins; no browser is started (one that
would be fails the test)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from html import escape
from typing import Any

import pytest

from tests.qa.standin import PROBE, PROBE_ANSWER, StandIn, serving
from widget.cli import main


class _Server(StandIn):
    """A service in test mode (its widget's key ``publishable_key``) that also serves a
    guesthouse page whose tag loads the widget of ``slug`` from ``widget_from``."""

    publishable_key = "pk_test_standin"
    widget_from = ""
    slug = "casa"

    def do_GET(self) -> None:
        if self.path == PROBE:
            self.send(404, "application/json", PROBE_ANSWER)
        elif self.path.startswith("/embed/"):
            config = json.dumps({"stripe_publishable_key": self.publishable_key})
            self.send(200, "text/html", f'<script id="innkeep-config">{escape(config)}</script>')
        elif self.path == "/camere":
            tag = f'<script src="{self.widget_from}/widget.js" data-property="{self.slug}" async>'
            self.send(200, "text/html", f"<!doctype html><h1>Camere</h1>{tag}</script>")
        else:
            self.send(404, "text/plain", "Not Found")


def _serving(**kind: object) -> contextlib.AbstractContextManager[str]:
    return serving(_Server, **kind)


@pytest.fixture
def live_service() -> Iterator[str]:
    """A widget that takes real payments (a live Stripe key)."""
    with _serving(publishable_key="pk_live_51Hreal") as url:
        yield url


@pytest.fixture
def test_service() -> Iterator[str]:
    with _serving() as url:
        yield url


@contextlib.contextmanager
def _page(**kind: object) -> Iterator[str]:
    """A guesthouse's page (its own server) embedding the widget ``slug`` of ``widget_from``."""
    with _serving(**kind) as url:
        yield f"{url}/camere"


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """No browser may start: starting one fails the test."""
    import playwright.sync_api

    def refuse() -> Any:
        raise AssertionError("a browser was started")

    monkeypatch.setattr(playwright.sync_api, "sync_playwright", refuse)


def journeys(page: str, *extra: str) -> list[str]:
    return ["qa", "journeys", "--site", page, "--token", "a-testing-token", *extra]


def test_a_service_given_that_is_not_the_page_s_is_refused_before_a_browser(
    test_service: str, live_service: str, capsys: pytest.CaptureFixture[str], no_browser: Any
) -> None:
    # The page's widget comes from a deployment taking real payments; --service names one
    # in test mode. Looking at --service only, the checks would let the journeys book.
    with _page(widget_from=live_service) as page:
        code = main(journeys(page, "--service", test_service, "--property", "casa"))
    said = capsys.readouterr().err.strip()
    assert code == 2, said
    assert len(said.splitlines()) == 1
    assert f"--service {test_service} is not where the page's widget comes from" in said
    assert live_service in said


def test_a_property_given_that_is_not_the_page_s_is_refused_before_a_browser(
    test_service: str, capsys: pytest.CaptureFixture[str], no_browser: Any
) -> None:
    with _page(widget_from=test_service, slug="casa") as page:
        code = main(journeys(page, "--service", test_service, "--property", "villa"))
    said = capsys.readouterr().err.strip()
    assert code == 2, said
    assert "--property villa is not the property the page's widget shows (casa)" in said


def test_the_safety_checks_look_at_the_page_s_widget(
    live_service: str, capsys: pytest.CaptureFixture[str], no_browser: Any
) -> None:
    # Nothing given but the page: its tag's service and property are checked (live key).
    with _page(widget_from=live_service) as page:
        assert main(journeys(page)) == 2
    assert "live Stripe key" in capsys.readouterr().err


def test_the_tag_s_property_goes_to_the_journeys(
    test_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import playwright.sync_api

    from widget.testing import journeys as journeys_module
    from widget.testing.journey_base import Run

    ran: list[dict[str, Any]] = []

    class _Browser:
        def close(self) -> None:
            pass

    class _Playwright:
        chromium = type("Chromium", (), {"launch": staticmethod(lambda **_: _Browser())})

        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def run_journeys(browser: Any, page: str, **given: Any) -> Run:
        ran.append(given)
        return Run(browser, page, given["may_book"])

    monkeypatch.setattr(playwright.sync_api, "sync_playwright", _Playwright)
    monkeypatch.setattr(journeys_module, "run_journeys", run_journeys)
    with _page(widget_from=test_service, slug="casa") as page:
        assert main(journeys(page, "--service", test_service)) == 0
    assert [(r["property_slug"], r["may_book"]) for r in ran] == [("casa", True)]
