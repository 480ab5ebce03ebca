"""A throw-away Innkeep for benchmarks: embedded Postgres and Redis in a temp folder, the demo
guesthouse, and ``innkeep serve`` on a free loopback port, pinned to chosen cores."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widget.local_servers import EmbeddedServices  # noqa: E402
from widget.migrate import migrate  # noqa: E402
from widget.paths import PROPERTIES_DIR  # noqa: E402
from widget.properties.apply import apply_property  # noqa: E402
from widget.properties.file import parse_property  # noqa: E402
from widget.testing.stack import Launch, innkeep_serve  # noqa: E402


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Python {sys.version.split()[0]}"


def demo_for_load(database_url: str) -> None:
    """Migrate the database and apply the demo guesthouse, its hold share lifted: one load
    client plays every guest, on many dates, and may hold the house ten times over (holds
    of any dates count against the share)."""
    migrate(database_url)
    with psycopg.connect(database_url) as conn:
        demo = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")
        demo = demo.replace("share_percent = 25", "share_percent = 1000", 1)
        apply_property(conn, parse_property(demo))


@contextlib.contextmanager
def stack(workers: int, server_cores: set[int], **env: str) -> Iterator[tuple[str, str]]:
    """Yields (service URL, database URL); everything is stopped and removed afterwards."""
    data = Path(tempfile.mkdtemp(prefix="innkeep-bench-"))
    services = EmbeddedServices(data)
    # Postgres and Valkey belong with the service, not on the load client's core: they
    # inherit the affinity of the process that starts them.
    client_cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, server_cores)
    try:
        database_url, redis_url = services.start()
    finally:
        os.sched_setaffinity(0, client_cores)
    log = os.environ.get("BENCH_SERVER_LOG")
    try:
        demo_for_load(database_url)
        child_env = {
            **os.environ,
            "INNKEEP_DATABASE_URL": database_url,
            "INNKEEP_REDIS_URL": redis_url,
            "INNKEEP_ENV": "test",
            **env,
        }
        cores = frozenset(server_cores)
        launch = Launch(child_env, log=Path(log) if log else None, cores=cores)
        with innkeep_serve(launch, workers=workers) as service:
            yield service.url, database_url
    finally:
        services.stop()
        shutil.rmtree(data, ignore_errors=True)


def demo_with_bench_units(conn: psycopg.Connection[Any], units: int) -> None:
    """The demo guesthouse with ``units`` more double rooms named "Bench N" (what the
    large-table benches fill with stays), and the inventory trigger off while they fill it:
    one version bump per row would only slow the filling, which is not what is measured
    (the caller turns it on again)."""
    apply_property(conn, parse_property((PROPERTIES_DIR / "demo.toml").read_text()))
    conn.execute(
        """INSERT INTO unit (property_id, room_type_id, name)
           SELECT property_id, id, 'Bench ' || g FROM room_type,
                  generate_series(1, %s::int) g
           WHERE slug = 'double-sea-view'""",
        (units,),
    )
    conn.execute("ALTER TABLE reservation DISABLE TRIGGER reservation_bumps_inventory")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wrk(
    url: str, client_core: int, connections: int, duration: str, script: str | None = None
) -> dict[str, float]:
    """``wrk`` against ``url`` from ``client_core`` (with a Lua ``script`` that picks the
    requests, if given): requests/s and p50/p99 latency in ms. A non-2xx/3xx answer stops
    the bench: a rate of errors is not a rate of pages."""
    output = subprocess.run(
        [
            "taskset",
            "-c",
            str(client_core),
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}",
            "--latency",
            *(["-s", script] if script else []),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses", output):
        raise SystemExit(f"wrk saw errors:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]

    def latency(label: str) -> float:
        found = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        assert found is not None, output
        return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]

    return {"rps": rps, "p50": latency("50"), "p99": latency("99")}
