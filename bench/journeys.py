"""``innkeep qa journeys`` against the demo's sample site N times in a row: how many runs
passed whole, and which journeys failed in the others (the flakes, by name).

Starts ``innkeep demo`` once on free ports with a testing token (or uses ``--site`` and
``--token`` of a running one), runs the command ``--runs`` times (20 by default), prints a
line per run and last the count, e.g. ``20/20 runs passed``, and ``flakes: …`` naming each
failing journey with how often it failed. Exit status 0 only when every run passed.

Run: ``INNKEEP_CHROMIUM=/usr/bin/chromium .venv/bin/python bench/journeys.py [--runs 20]``
(about 45 s a run on a quiet machine). Not part of ``scripts/test``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# This file is bench/journeys.py: put the repository first, so `widget` is the package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widget.testing.stack import Launch, innkeep_command, innkeep_demo  # noqa: E402


@contextlib.contextmanager
def demo(token: str) -> Iterator[str]:
    """``innkeep demo`` on free ports in a fresh data folder, in test mode with ``token``:
    its sample site's URL. One machine plays every guest: the per-address quotas allow it."""
    data_dir = Path(tempfile.mkdtemp(prefix="ik-journeys-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_DATABASE")}
    env.pop("INNKEEP_REDIS_URL", None)
    env.update(
        INNKEEP_TESTING_TOKEN=token,
        INNKEEP_HOLDS_PER_ADDRESS="1000",
        INNKEEP_HOLD_ATTEMPTS_PER_MINUTE="1000",
    )
    launch = Launch(env, stop=signal.SIGINT, grace=60, start_timeout=120)
    try:
        with innkeep_demo(launch, data_dir) as running:
            assert running.site is not None
            yield running.site
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def one_run(site: str, token: str) -> list[str]:
    """One ``innkeep qa journeys`` run: the names of the journeys that failed (``[]``: all
    passed; ``["<exit N>"]`` when it failed without naming one)."""
    done = subprocess.run(
        innkeep_command("qa", "journeys", "--site", site + "/", "--token", token),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failed = re.findall(r"^\s+FAIL\s+(\S+)", done.stdout, re.M)
    if done.returncode != 0 and not failed:
        failed = [f"<exit {done.returncode}>"]
    if failed:
        print(done.stdout + done.stderr, flush=True)
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--site", help="a running demo's sample site (default: start one)")
    parser.add_argument("--token", help="with --site: its testing token")
    args = parser.parse_args()
    token = args.token or "journeys-" + secrets.token_hex(12)
    with contextlib.ExitStack() as stack:
        site = args.site or stack.enter_context(demo(token))
        flakes: Counter[str] = Counter()
        passed = 0
        for n in range(1, args.runs + 1):
            failed = one_run(site, token)
            passed += not failed
            flakes.update(failed)
            print(
                f"run {n}: {'passed' if not failed else 'FAILED ' + ', '.join(failed)}", flush=True
            )
    print(f"{passed}/{args.runs} runs passed")
    print("flakes: " + (", ".join(f"{k} ×{v}" for k, v in flakes.most_common()) or "none"))
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
