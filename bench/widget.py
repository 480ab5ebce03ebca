"""How fast the widget appears on a guesthouse's page, in Chromium, on loopback and on two
throttled phone links.

Loads the sample guesthouse site of ``innkeep demo`` (started here on free ports unless
``--site`` names a running one) N times per network profile, each in a fresh browser context
(an empty cache: a first visit), after one uncounted warm-up load, and prints one JSON line
last, with for each profile:

- ``p50_ms`` / ``p90_ms``: from navigation start to the widget's ``innkeep:ready`` (the
  calendar is drawn with its prices), on the host page's clock;
- ``from_loader_p50_ms``: the same, from the moment the host page starts fetching
  ``widget.js`` (the figure recorded before issue 13);
- ``round_trips``: sequential round trips after the host page until then (the median): a
  request is one step after the deepest request whose answer had begun to arrive when it
  started, so requests made together count once (read it on a throttled profile: on
  loopback, unrelated answers arrive within a millisecond);
- ``bytes_before_usable``: bytes on the wire (headers and compressed bodies) of every request
  of the page and the widget until then, the host page itself included, Stripe excluded;
- ``checkout_p50_ms``: from navigation start until the checkout's part (the widget's later
  script, asked for after the first paint) has arrived: from then on a stay the guest picks
  is priced without waiting for it (null for a widget without one);

and ``loader_gzip_bytes``: ``widget.js`` gzipped at level 9, as the budget test measures it.

The throttled profiles are Chromium's own network emulation (DevTools protocol,
``Network.emulateNetworkConditions``): it adds its latency to every request, not to each new
connection's handshakes, so a real link pays more than these figures for a new connection;
count the round trips as well as the milliseconds.

Run: ``.venv/bin/python bench/widget.py [--runs 20] [--throttled-runs 10] [--profiles
loopback,rtt150,rtt300] [--site http://127.0.0.1:8001]``. Set INNKEEP_CHROMIUM to use a
Chromium other than Playwright's own.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request, sync_playwright

# This file is bench/widget.py: put the repository first, so `widget` is the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widget.testing.browsers import CHROMIUM_FLAGS  # noqa: E402
from widget.testing.stack import Launch, innkeep_demo  # noqa: E402

FLAGS = list(CHROMIUM_FLAGS)
RECORD_READY = """
window.__innkeep_ready = null;
document.addEventListener('innkeep:ready', () => { window.__innkeep_ready = performance.now(); });
"""
#: The widget page's later parts (widget/api/page_assets.py): the checkout's modules.
LATER_PART = "/widget-parts/"
LOADER_START = """() => {
  const entry = performance.getEntriesByType('resource').find(e => e.name.includes('/widget.js'));
  return entry ? entry.startTime : null;
}"""


@contextlib.contextmanager
def demo() -> Iterator[tuple[str, str]]:
    """``innkeep demo`` on free ports in a fresh data folder: (service URL, site URL)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ik-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_DATABASE")}
    env.pop("INNKEEP_REDIS_URL", None)
    launch = Launch(env, stop=signal.SIGINT, grace=60, start_timeout=120)
    try:
        with innkeep_demo(launch, data_dir) as running:
            assert running.site is not None
            yield running.url, running.site
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def loader_gzip_bytes(service: str) -> int:
    with urllib.request.urlopen(service + "/widget.js", timeout=5) as response:
        return len(gzip.compress(response.read(), compresslevel=9))


@dataclass(frozen=True)
class Profile:
    """A network as Chromium emulates it: latency added to each request, and throughput."""

    name: str
    latency_ms: float = 0
    down_kbit: float = 0
    up_kbit: float = 0
    #: The figure issue 13 asks for: navigation start to a priced calendar, p50.
    target_ms: float | None = None

    def emulate(self, page: Page) -> None:
        if not self.latency_ms:
            return
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": self.latency_ms,
                "downloadThroughput": self.down_kbit * 1000 / 8,
                "uploadThroughput": self.up_kbit * 1000 / 8,
            },
        )


PROFILES = {
    p.name: p
    for p in (
        Profile("loopback"),
        Profile("rtt150", 150, 1600, 750, target_ms=750),
        Profile("rtt300", 300, 700, 700, target_ms=1400),
    )
}


def round_trips(requests: list[Request], ready_at: float) -> tuple[int, list[str]]:
    """Sequential round trips after the host page among ``requests`` that ended by
    ``ready_at`` (epoch ms), and each request as ``step: path``."""
    spans = []
    for request in requests:
        timing = request.timing
        start = timing["startTime"]
        if start + timing["responseEnd"] <= ready_at:
            spans.append((start, start + timing["responseStart"], request.url))
    spans.sort()
    steps: list[tuple[float, int]] = []  # (first byte, step)
    chain = []
    for start, first_byte, url in spans:
        before = [step for arrived, step in steps if arrived <= start]
        step = max(before, default=0) + 1
        steps.append((first_byte, step))
        chain.append(f"{step}: {urlsplit(url).path}")
    deepest = max((step for _, step in steps), default=1)
    return deepest - 1, chain  # the host page is step 1


def part_arrived(page: Page, finished: list[Request]) -> float | None:
    """When the widget's later part had arrived (epoch ms); None if none came within 3 s
    of the calendar (a widget from before issue 13's split has none)."""
    for _ in range(60):
        for request in finished:
            if LATER_PART in request.url:
                return float(request.timing["startTime"] + request.timing["responseEnd"])
        page.wait_for_timeout(50)
    return None


def one_load(browser: Browser, site: str, profile: Profile) -> dict[str, Any]:
    """One first visit of ``site``: its figures."""
    context = browser.new_context()
    try:
        page = context.new_page()
        profile.emulate(page)
        page.add_init_script(RECORD_READY)
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(site)
        page.wait_for_function("window.__innkeep_ready !== null", timeout=30_000)
        ready, origin = page.evaluate("[window.__innkeep_ready, performance.timeOrigin]")
        start = page.evaluate(LOADER_START)
        before = [r for r in finished if "stripe.com" not in r.url]
        part = part_arrived(page, finished)
        trips, chain = round_trips(before, origin + ready)
        total = 0
        for request in before:
            size = request.sizes()
            total += max(size["responseBodySize"], 0) + size["responseHeadersSize"]
        return {
            "ready": ready,
            "from_loader": ready - start,
            "checkout": part - origin if part is not None else None,
            "bytes": total,
            "trips": trips,
            "chain": chain,
        }
    finally:
        context.close()


def measure(site: str, profile: Profile, runs: int) -> dict[str, Any]:
    launch: dict[str, Any] = {"args": FLAGS}
    if os.environ.get("INNKEEP_CHROMIUM"):
        launch["executable_path"] = os.environ["INNKEEP_CHROMIUM"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch)
        try:
            # The first run warms the service, not counted.
            loads = [one_load(browser, site, profile) for _ in range(runs + 1)][1:]
        finally:
            browser.close()
    times = [load["ready"] for load in loads]
    parts = [load["checkout"] for load in loads if load["checkout"] is not None]
    median = sorted(loads, key=lambda load: load["ready"])[len(loads) // 2]
    print(f"{profile.name}: the median load's requests by round trip", file=sys.stderr)
    for line in median["chain"]:
        print(f"  {line}", file=sys.stderr)
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1], 1) if runs >= 10 else None,
        "from_loader_p50_ms": round(statistics.median(load["from_loader"] for load in loads), 1),
        "round_trips": int(statistics.median(load["trips"] for load in loads)),
        "bytes_before_usable": int(statistics.median(load["bytes"] for load in loads)),
        "checkout_p50_ms": round(statistics.median(parts), 1) if parts else None,
        "target_p50_ms": profile.target_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="loads on loopback")
    parser.add_argument("--throttled-runs", type=int, default=10, help="loads per slow link")
    parser.add_argument("--profiles", default=",".join(PROFILES))
    parser.add_argument("--site", help="a running sample site (default: start innkeep demo)")
    parser.add_argument("--service", help="the service of --site (for the loader's size)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.site:
            site, service = args.site, args.service or args.site
        else:
            service, site = stack.enter_context(demo())
        result: dict[str, Any] = {}
        for name in args.profiles.split(","):
            profile = PROFILES[name]
            runs = args.throttled_runs if profile.latency_ms else args.runs
            result[name] = measure(site, profile, runs)
        result["loader_gzip_bytes"] = loader_gzip_bytes(service)
        result["targets"] = {"bytes_before_usable": 60 * 1024, "loader_gzip_bytes": 4 * 1024}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
