"""What an owner or their staff do in the console, as small steps the browser tests share:
signing in, following a link the console e-mailed, and the checks every console page
passes (axe, a 360 px phone)."""

from __future__ import annotations

import email
import email.policy
import re
import time

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


def mailed_link(deployment: Deployment, recipient: str, path: str) -> str | None:
    """The link to ``path`` (and the token after it) that the console e-mailed to
    ``recipient``, once the outbox has sent it (the demo writes each sent e-mail into its
    data folder); None for a deployment the suite did not start (no folder to read)."""
    if deployment.data_dir is None:
        return None
    folder, link = deployment.data_dir / "outbox", re.compile(rf"{re.escape(path)}[\w-]+")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for sent in sorted(folder.glob("*.eml")) if folder.is_dir() else ():
            message = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
            body = message.get_body(("plain",))
            found = link.search(body.get_content()) if body is not None else None
            if found and recipient in str(message["To"]):
                return deployment.service + found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {recipient} with a link to {path}")


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
