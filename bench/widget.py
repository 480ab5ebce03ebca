"""How fast the widget appears on a guesthouse's page, in Chromium.

Loads the sample guesthouse site of ``innkeep demo`` (started here on free ports unless
``--site`` names a running one) N times, each in a fresh browser context (an empty cache: a
first visit), and prints one JSON line last:

- ``p50_ms`` / ``p90_ms``: from the moment the host page starts fetching ``widget.js`` to
  the widget's ``innkeep:ready`` (the calendar is drawn with its prices), as the host
  page's own clock sees both;
- ``bytes_before_usable``: bytes on the wire (headers and compressed bodies) of every request
  of the page and the widget until then, the host page itself included, Stripe excluded;
- ``loader_gzip_bytes``: ``widget.js`` gzipped at level 9, as the budget test measures it.

Run: ``.venv/bin/python bench/widget.py [--runs 20] [--site http://127.0.0.1:8001]``.
Set INNKEEP_CHROMIUM to use a Chromium other than Playwright's own.
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
from pathlib import Path
from typing import Any

from playwright.sync_api import Request, sync_playwright

# This file is bench/widget.py: put the repository first, so `widget` is the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widget.testing.stack import Launch, innkeep_demo  # noqa: E402

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RECORD_READY = """
window.__innkeep_ready = null;
document.addEventListener('innkeep:ready', () => { window.__innkeep_ready = performance.now(); });
"""
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


def measure(site: str, runs: int) -> dict[str, Any]:
    times: list[float] = []
    sizes: list[int] = []
    launch: dict[str, Any] = {"args": FLAGS}
    if os.environ.get("INNKEEP_CHROMIUM"):
        launch["executable_path"] = os.environ["INNKEEP_CHROMIUM"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch)
        try:
            for _ in range(runs + 1):  # the first run warms the service, not counted
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(RECORD_READY)
                finished: list[Request] = []
                page.on("requestfinished", lambda request, seen=finished: seen.append(request))
                page.goto(site)
                page.wait_for_function("window.__innkeep_ready !== null", timeout=15_000)
                ready = page.evaluate("window.__innkeep_ready")
                start = page.evaluate(LOADER_START)
                before = [r for r in finished if "stripe.com" not in r.url]
                total = 0
                for request in before:
                    size = request.sizes()
                    total += max(size["responseBodySize"], 0) + size["responseHeadersSize"]
                times.append(ready - start)
                sizes.append(total)
                context.close()
        finally:
            browser.close()
    times, sizes = times[1:], sizes[1:]
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(statistics.quantiles(times, n=10)[-1], 1) if runs >= 10 else None,
        "bytes_before_usable": int(statistics.median(sizes)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--site", help="a running sample site (default: start innkeep demo)")
    parser.add_argument("--service", help="the service of --site (for the loader's size)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.site:
            site, service = args.site, args.service or args.site
        else:
            service, site = stack.enter_context(demo())
        result = measure(site, args.runs)
        result["loader_gzip_bytes"] = loader_gzip_bytes(service)
        result["targets"] = {"p50_ms": 300, "bytes_before_usable": 60 * 1024}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
