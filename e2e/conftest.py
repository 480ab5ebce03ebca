"""Playwright end-to-end checkouts, through HTTP and a browser only.

By default the suite starts ``innkeep demo`` itself (free ports, a temporary data folder,
short holds). With ``--base-url URL`` it targets that deployment instead: a staging
deployment in test mode, its testing API's token in ``INNKEEP_TESTING_TOKEN``, is all it
needs. The suite creates its properties through the testing API (disposable, deleted at
the end) and moves a property's clock there instead of waiting for a hold to lapse. The
few tests that play the owner's command line (``innkeep block``, ``user add``, ``sync``, a
property edited in place) need its database as well (``INNKEEP_DATABASE_URL``) and are
skipped without it. The deployment's per-address hold quotas must allow one machine playing
many guests (``INNKEEP_HOLDS_PER_ADDRESS``, ``INNKEEP_HOLD_ATTEMPTS_PER_MINUTE``).

The suite's property is ``e2e/property.toml``; it serves its own host pages on two more
origins of 127.0.0.1: one the property allows and one it does not. Nothing here imports the
service: it is a guest's browser, an owner's command line and the testing API
(``widget.testing.stack``, which starts the demo, and ``widget.testing.testing_api`` are
standard library only and import nothing else of the package).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from widget.testing.browsers import launch_options
from widget.testing.pytest_plugin import booking_widget  # noqa: F401 - the QA kit's fixture
from widget.testing.stack import Launch, innkeep_command, innkeep_demo
from widget.testing.testing_api import TestingApi

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Holds last this long in the demo the suite starts: short, so expiry is seen in seconds.
DEMO_HOLD_SECONDS = 20
#: The testing API's token of the demo the suite starts (`innkeep demo` runs in test mode).
DEMO_TESTING_TOKEN = "e2e-testing-token-" + secrets.token_hex(8)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--innkeep-hold-seconds",
        type=int,
        default=None,
        help="with --base-url: how long the deployment's holds last (INNKEEP_HOLD_SECONDS)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # A failure keeps its trace and screenshot (in test-results/) unless told otherwise.
    if config.getoption("--tracing", default=None) == "off":
        config.option.tracing = "retain-on-failure"
    if config.getoption("--screenshot", default=None) == "off":
        config.option.screenshot = "only-on-failure"


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str
) -> dict[str, Any]:
    """Debian's Chromium where Playwright's own download is unavailable (INNKEEP_CHROMIUM),
    for chromium only: `--browser firefox` gets Playwright's Firefox, unflagged."""
    return launch_options(browser_name, browser_type_launch_args)


# Sync Playwright marks its event loop as running on the main thread between its calls, for
# as long as it lives; pytest-playwright starts it once per session, so every asyncio test
# after the first browser test would fail ("Runner.run() cannot be called from a running
# event loop": `pytest e2e/ tests/`). Playwright and its browser live for this package
# only: stopped when e2e/ is done, the loop is no longer marked. (The same fixtures as
# pytest-playwright's, at package scope.)
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Any, browser_name: str) -> Any:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: Any, connect_options: Any
) -> Any:
    def launch(**kwargs: Any) -> Any:
        options = {**browser_type_launch_args, **kwargs}
        if connect_options:
            headers = {"x-playwright-launch-options": json.dumps(options)}
            headers.update(connect_options.get("headers") or {})
            return browser_type.connect(**{**connect_options, "headers": headers})
        return browser_type.launch(**options)

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Any) -> Iterator[Any]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def browser_context_args(
    pytestconfig: pytest.Config,
    playwright: Any,
    device: str | None,
    base_url: str | None,
    _pw_artifacts_folder: Any,
) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if device:
        args.update(playwright.devices[device])
    if base_url:
        args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """A plain GET; the status and body, even for 4xx/5xx."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# ---------------------------------------------------------------- host pages


def host_page(service: str, query: dict[str, list[str]]) -> str:
    """A guesthouse's page embedding the widget the way docs/widget.md says, with a recorder
    of the widget's events. Query: slug, mode=inline|dialog, widgets=N, locale, hostile=1."""
    first = lambda name, default="": query.get(name, [default])[0]  # noqa: E731
    slug = first("slug")
    widgets = int(first("widgets", "1")) if first("mode", "inline") == "inline" else 0
    attributes = f'data-property="{escape(slug)}"'
    if first("locale"):
        attributes += f' data-locale="{escape(first("locale"))}"'
    hostile = (
        """
      <style>
        /* A careless theme: none of it may reach inside the widget, nor hide, pad, squeeze,
           shift or cover the elements the widget's loader puts on the page. */
        * { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important;
            padding: 9px !important; }
        iframe { display: none !important; }
        button, dialog, td, table { display: none !important; }
        div { border: 7px dotted lime !important; outline: 3px solid lime !important;
              width: 40px !important; max-height: 30px !important; overflow: hidden !important;
              opacity: 0.3 !important; position: absolute !important; zoom: 0.5 !important;
              transform: translateX(-200vw) !important; pointer-events: none !important; }
        div::before { content: "SALE"; display: block; height: 120px; }
        [data-innkeep], [hidden], dialog, body > div:last-child {
            display: none !important; visibility: hidden !important; }
      </style>
      <script>
        // Careless scripts: a global of the same name first, an enumerable addition to every
        // array (for…in loops see it), and a listener that runs any string it is sent.
        window.Innkeep = { theme: "a slider plugin's global" };
        Array.prototype.shuffleAll = function () { return this; };
        window.addEventListener("message", function (e) {
          if (typeof e.data === "string") { try { eval(e.data); } catch (x) {} }
        });
      </script>"""
        if first("hostile")
        else ""
    )
    spots = "\n".join(f'<div data-innkeep data-testid="spot-{i}"></div>' for i in range(widgets))
    if first("hostile") and widgets:
        # The owner sizes the widget by its container, on purpose: that width must hold.
        spots = f'<section data-testid="container" style="width: 480px">{spots}</section>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Locanda di Prova</title>{hostile}
<script>
  // The queue snippet of docs/widget.md: calls before the loader arrives are replayed.
  window.Innkeep = window.Innkeep ||
    function () {{ (Innkeep.q = Innkeep.q || []).push(arguments); }};
  window.recorded = [];
  ["ready", "dates", "quote", "hold", "booked", "error"].forEach(function (name) {{
    document.addEventListener("innkeep:" + name, function (e) {{
      recorded.push({{ type: name, detail: e.detail }});
    }});
  }});
  window.heard = [];
  Innkeep("on", "booked", function (detail) {{ heard.push(detail); }});
</script>
</head><body>
<h1 id="probe">Locanda di Prova</h1>
<p>Book directly with us.</p>
{spots}
<script src="{service}/widget.js" {attributes} async></script>
</body></html>"""


class _Pages(BaseHTTPRequestHandler):
    service = ""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        body = host_page(self.service, parse_qs(parts.query)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:  # quiet
        pass


@contextlib.contextmanager
def serving_host_pages(service: str) -> Iterator[str]:
    handler = type("Pages", (_Pages,), {"service": service})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the deployment


@contextlib.contextmanager
def started_demo(
    hold_seconds: int, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path, str]]:
    """`innkeep demo` on free ports with a fresh data folder (its service, data folder and
    sample site); stopped with Ctrl-C (SIGINT).
    ``extra_env`` configures it further (the Stripe provider, for example)."""
    # A short path: Postgres' socket lives in the data folder.
    data_dir = Path(tempfile.mkdtemp(prefix="ik-e2e-"))
    env = {
        **os.environ,
        "INNKEEP_HOLD_SECONDS": str(hold_seconds),
        "INNKEEP_ENV": "test",
        # Every guest of the suite comes from 127.0.0.1: the per-address quotas of holds are
        # for the public, not for one QA machine playing many guests.
        "INNKEEP_HOLDS_PER_ADDRESS": "1000",
        "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE": "1000",
        "INNKEEP_TESTING_TOKEN": DEMO_TESTING_TOKEN,
    }
    for name in ("INNKEEP_DATABASE_URL", "INNKEEP_REDIS_URL", "INNKEEP_STRIPE_SECRET_KEY"):
        env.pop(name, None)
    env.update(extra_env or {})
    launch = Launch(env, stop=signal.SIGINT, grace=60, start_timeout=120, log=data_dir / "demo.log")
    try:
        with innkeep_demo(launch, data_dir) as demo:
            assert demo.site is not None
            yield demo.url, data_dir, demo.site
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass(frozen=True)
class Deployment:
    """Where the suite's guest goes."""

    service: str
    #: A page on an origin the property allows, and one on an origin it does not.
    host: str
    stranger: str
    slug: str
    hold_seconds: int | None
    #: Paths the deployment's OpenAPI lists: tests of steps not built yet are skipped.
    paths: frozenset[str]
    #: The data folder of the demo the suite started (None with --base-url).
    data_dir: Path | None = None
    #: The demo's own sample guesthouse site (None with --base-url) and the testing token.
    sample_site: str | None = None
    token: str | None = None
    #: Properties the testing API created for this run: deleted at its end.
    created: list[str] = field(default_factory=list)

    @property
    def api(self) -> TestingApi | None:
        """The deployment's testing API, when the suite has its token."""
        return TestingApi(self.service, self.token) if self.token else None

    def page(self, *, stranger: bool = False, **query: str | int) -> str:
        params = "&".join(f"{k}={v}" for k, v in {"slug": self.slug, **query}.items())
        return f"{self.stranger if stranger else self.host}/?{params}"

    def needs(self, *endings: str) -> None:
        """Skip, saying why, unless the deployment has a path ending in each of ``endings``
        (the checkout is built in steps: a step not deployed yet cannot be tested)."""
        missing = [e for e in endings if not any(p.endswith(e) for p in self.paths)]
        if missing:
            pytest.skip(f"the deployment has no {', '.join(missing)} endpoint yet")

    def needs_command_line(self) -> None:
        """Skip unless the owner's command line reaches the deployment's database (the demo
        the suite started, or ``INNKEEP_DATABASE_URL``)."""
        if self.data_dir is None and not os.environ.get("INNKEEP_DATABASE_URL"):
            pytest.skip("plays the owner's command line: needs INNKEEP_DATABASE_URL")

    def new_property(self, changes: dict[str, str] | None = None, more: str = "") -> str:
        """A property of one test's own (e2e/property.toml, ``changes`` applied and ``more``
        added, allowing the host pages), its slug: through the testing API when the suite
        has a token."""
        api = self.api
        if api is None:
            slug = f"e2e-{secrets.token_hex(3)}"
            apply_property(slug, self.host, self.data_dir, changes, more)
            return slug
        made = str(api.create_property(property_text("e2e", self.host, changes, more))["slug"])
        self.created.append(made)
        return made


def property_text(
    slug: str, host_origin: str, changes: dict[str, str] | None = None, more: str = ""
) -> str:
    """e2e/property.toml as ``slug``, allowing ``host_origin``; ``changes`` replaces lines of
    the file (an owner editing it), ``more`` is added to it."""
    text = (HERE / "property.toml").read_text(encoding="utf-8") + more
    text = text.replace("{slug}", slug).replace("{host_origin}", host_origin)
    for old, new in (changes or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def apply_property(
    slug: str,
    host_origin: str,
    data_dir: Path | None,
    changes: dict[str, str] | None = None,
    more: str = "",
) -> None:
    """``innkeep property apply`` of e2e/property.toml as ``slug``, allowing ``host_origin``;
    ``changes`` replaces lines of the file (an owner editing it), ``more`` is added to it."""
    text = property_text(slug, host_origin, changes, more)
    with tempfile.TemporaryDirectory(prefix="ik-e2e-prop-") as folder:
        path = Path(folder) / f"{slug}.toml"
        path.write_text(text, encoding="utf-8")
        innkeep("property", "apply", str(path), data_dir=data_dir)


def innkeep(*args: str, data_dir: Path | None, stdin: str | None = None) -> str:
    """Run an owner's `innkeep` command against the deployment (``stdin`` typed into it);
    its output."""
    command = innkeep_command(*args)
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    result = subprocess.run(
        command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"innkeep {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


#: The password of the console's users the suite adds with `add_console_user`.
CONSOLE_PASSWORD = "e2e owner passphrase"


def add_console_user(deployment: Deployment, slug: str, email: str, role: str = "owner") -> str:
    """``innkeep user add`` of ``email`` to ``slug`` as ``role``, with `CONSOLE_PASSWORD` if
    the account is new (on stdin, as an owner would type it); the e-mail."""
    deployment.needs_command_line()
    innkeep(
        *("user", "add", "--email", email, "--property", slug, "--role", role),
        "--password-stdin",
        data_dir=deployment.data_dir,
        stdin=CONSOLE_PASSWORD + "\n",
    )
    return email


@pytest.fixture(scope="session")
def owner(deployment: Deployment) -> str:
    """The owner of the suite's property in the console, added once for every test module
    that signs in as them (each test signs in for a session of its own)."""
    return add_console_user(deployment, deployment.slug, "owner@locanda-prova.example.com")


@pytest.fixture(scope="session")
def staff(deployment: Deployment) -> str:
    """A staff member of the suite's property in the console, added once for the run."""
    return add_console_user(
        deployment, deployment.slug, "staff@locanda-prova.example.com", role="staff"
    )


@pytest.fixture(scope="session")
def deployment(pytestconfig: pytest.Config) -> Iterator[Deployment]:
    base_url: str | None = pytestconfig.getoption("--base-url", default=None)
    with contextlib.ExitStack() as stack:
        sample_site = token = None
        if base_url:
            service, data_dir = base_url.rstrip("/"), None
            hold_seconds = pytestconfig.getoption("--innkeep-hold-seconds")
            token = os.environ.get("INNKEEP_TESTING_TOKEN")
        else:
            service, data_dir, sample_site = stack.enter_context(started_demo(DEMO_HOLD_SECONDS))
            hold_seconds, token = DEMO_HOLD_SECONDS, DEMO_TESTING_TOKEN
        host = stack.enter_context(serving_host_pages(service))
        stranger = stack.enter_context(serving_host_pages(service))
        status, body = get(service + "/schema/openapi.json")
        paths = frozenset(json.loads(body)["paths"]) if status == 200 else frozenset()
        made = Deployment(
            service, host, stranger, "", hold_seconds, paths, data_dir, sample_site, token
        )
        deployment = dataclasses.replace(made, slug=made.new_property(), created=made.created)
        try:
            yield deployment
        finally:
            api = deployment.api
            for slug in deployment.created if api else ():
                with contextlib.suppress(Exception):  # already gone: nothing to clean
                    api.delete_property(slug)  # type: ignore[union-attr]


@pytest.fixture
def stays() -> Iterator[Any]:
    """Stays that no other test of this run books: each call gives the next free week."""
    yield _next_stay


_weeks = iter(range(1000))


def _next_stay(nights: int = 2) -> tuple[str, str]:
    # Three weeks out and beyond, one week per stay, never on the same nights twice.
    start = date.today() + timedelta(days=21 + 7 * next(_weeks))
    return start.isoformat(), (start + timedelta(days=nights)).isoformat()
