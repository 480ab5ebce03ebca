"""The Channels page in a browser, as an owner uses it: copy a unit's export URL, make a new
one (the old one answers 404 at once), and see a failing import feed at the top of Today.
axe-core finds no serious or critical violation, and the page fits a 360 px phone."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from e2e.conftest import ROOT, Deployment, apply_property, get
from e2e.console_steps import check_page, sign_in
from e2e.test_console_rules_browser import _owner_of
from widget.testing.stack import innkeep_command


@contextlib.contextmanager
def gone_feed() -> Iterator[str]:
    """A channel's calendar that answers 404 (its link was regenerated on the channel)."""

    class Gone(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/calendar/ical/SECRET-e2e.ics"
    finally:
        server.shutdown()
        server.server_close()


def sync_run(slug: str, deployment: Deployment) -> str:
    """`innkeep sync run` (the feed on loopback allowed); a failing feed exits 1."""
    command = innkeep_command("sync", "run", "--property", slug)
    if deployment.data_dir is not None:
        command += ["--data-dir", str(deployment.data_dir)]
    env = {**os.environ, "INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return result.stdout + result.stderr


def _path(url: str) -> str:
    """An export URL's path: the URL names the service's public address, which a test
    deployment on a free port may not be."""
    return urlsplit(url).path


def test_an_owner_copies_and_rotates_an_export_url_and_sees_a_failing_feed(
    page: Page, deployment: Deployment
) -> None:
    deployment.needs_command_line()  # `innkeep sync run`, `user add`
    slug = f"{deployment.slug}-channels"
    with gone_feed() as url:
        feed = f'[[feeds]]\nunit = "Lighthouse"\nname = "Airbnb"\nurl = "{url}"\n\n'
        apply_property(
            slug,
            deployment.host,
            deployment.data_dir,
            {'[[rules]]\ntype = "base_rate"': feed + '[[rules]]\ntype = "base_rate"'},
        )
        # The deployment's own workers may fetch it first (and refuse loopback): failing
        # either way; this run makes sure it has been tried.
        printed = sync_run(slug, deployment)
    assert "FAILED" in printed or "a worker is fetching it" in printed, printed
    email, password = _owner_of(deployment, slug)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, deployment, email, password)
    page.get_by_test_id("nav-channels").click()
    expect(page.get_by_test_id("channels")).to_be_visible()
    check_page(page)

    full = page.locator('[data-testid="export-url"][data-unit="Lighthouse"][data-channel=""]')
    old = full.input_value()
    row = page.get_by_test_id("export-unit").filter(has=full)
    row.locator('[data-testid="copy-export-url"]').first.click()
    assert page.evaluate("navigator.clipboard.readText()") == old
    assert get(deployment.service + _path(old))[0] == 200

    row.locator('[data-testid="rotate-export"][data-channel=""]').click()
    expect(page.get_by_test_id("channels-notice")).to_be_visible()
    new = full.input_value()
    assert new != old
    assert get(deployment.service + _path(old))[0] == 404
    assert get(deployment.service + _path(new))[0] == 200
    feed_row = page.locator('[data-testid="feed"][data-unit="Lighthouse"][data-name="Airbnb"]')
    expect(feed_row).to_have_attribute("data-state", "failing")
    expect(page.locator("main")).not_to_contain_text("SECRET-e2e")

    page.get_by_test_id("nav-today").click()
    trouble = page.get_by_test_id("sync-trouble")
    expect(trouble).to_be_visible()
    failing = trouble.locator('[data-testid="failing-feed"][data-name="Airbnb"]')
    expect(failing).to_contain_text("Lighthouse")
    check_page(page)
