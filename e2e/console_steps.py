"""What an owner or their staff do in the console, as small steps the browser tests share:
signing in, and the checks every console page passes (axe, a 360 px phone)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import CONSOLE_PASSWORD, Deployment


def sign_in(
    page: Page, deployment: Deployment, email: str, password: str = CONSOLE_PASSWORD
) -> None:
    """Through the login form, to the Today page: a session of this test's own."""
    page.goto(f"{deployment.service}/admin/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("today")).to_be_visible()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)  # type: ignore[arg-type]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(bad)


def assert_fits_a_phone(page: Page) -> None:
    """At 360 px nothing makes the page itself scroll sideways (wide tables scroll inside
    their own box)."""
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 360, f"{page.url} is {width} px wide at 360 px"


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert_fits_a_phone(page)
