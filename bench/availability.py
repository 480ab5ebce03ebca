"""Calendar throughput: a 60-night calendar of the demo guesthouse next to a trivial JSON
endpoint (``/healthz``) of the same app, same server, same run, with ``wrk`` pinned to its
own core. Prints a table, then JSON on its last line."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import date, timedelta

from stack import machine, stack, wrk

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/availability.py needs wrk (Debian: apt-get install wrk)")
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    start = date.today() + timedelta(days=14)
    path = (
        f"/api/v1/properties/demo/calendar?start={start}&end={start + timedelta(days=60)}&adults=2"
    )
    with stack(workers=len(server_cores), server_cores=server_cores) as (url, _):
        # Warm-up: fills the cache, loads the rules.
        wrk(url + path, client_core, CONNECTIONS, DURATION)
        hello = wrk(url + "/healthz", client_core, CONNECTIONS, DURATION)
        calendar = wrk(url + path, client_core, CONNECTIONS, DURATION)
    ratio = calendar["rps"] / hello["rps"]
    print(machine())
    print(
        f"server on cores {sorted(server_cores)}, wrk on core {client_core}, "
        f"{CONNECTIONS} connections, {DURATION} each"
    )
    for name, figures in (("hello (/healthz)", hello), ("calendar, 60 nights", calendar)):
        print(
            f"{name:22} {figures['rps']:9.0f} req/s   p50 {figures['p50']:6.2f} ms   "
            f"p99 {figures['p99']:6.2f} ms"
        )
    print(f"ratio {ratio:.2f} (target ≥ 0.5)")
    print(
        json.dumps(
            {
                "calendar_rps": round(calendar["rps"]),
                "hello_rps": round(hello["rps"]),
                "ratio": round(ratio, 2),
                "calendar_p50_ms": calendar["p50"],
                "calendar_p99_ms": calendar["p99"],
                "hello_p50_ms": hello["p50"],
                "hello_p99_ms": hello["p99"],
            }
        )
    )


if __name__ == "__main__":
    main()
