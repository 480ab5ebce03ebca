"""CPU per losing hold attempt: what the p99 of a race is made of.

With 100 guests arriving at once on one core, the last loser waits for everyone before it,
so a race's p99 is about 100 × the core's time per loser. Wall-clock latency says little on
a shared machine; the CPU the server side spends depends on it far less (compare runs made
in the same minutes, alternating: see docs/performance.md). This bench runs the one-unit
race and the two-room group race of `bench/holds.py` on the same stack (2 workers, or
``BENCH_RACE_WORKERS``; Postgres and Valkey on core 0, the client on core 1) and reads the
CPU time (utime + stime, from /proc) of every server process before and after each race: the
workers, Postgres (all its processes) and Valkey. CPU per loser is the server side's CPU
over the race divided by its losers (the round's winners are few: their cost is spread over
the losers too, as the core spends it).

    .venv/bin/python bench/losers_cpu.py    # BENCH_ROUNDS=40 BENCH_GROUP_ROUNDS=40

JSON figures on the last line.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from holds import LOAD_ENV, PAIRS, Connection, group, guest_address, monday, spread, stay
from stack import machine, stack

TICKS = os.sysconf("SC_CLK_TCK")
GUESTS = 100


def _descendants(root: int) -> list[int]:
    """Every living process under ``root`` (the bench): the servers it started."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kind(pid: int) -> str:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "gone"
    if comm.startswith(("postgres", "postmaster")):
        return "postgres"
    if comm.startswith(("valkey", "redis")):
        return "valkey"
    return "python"


def _cwd_under(pid: int, folder: Path) -> bool:
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")).is_relative_to(folder)
    except OSError:
        return False


def server_pids(data: Path) -> list[int]:
    """The workers (started by this bench) and Postgres and Valkey (detached from it, but
    running in the stack's data folder)."""
    own = set(_descendants(os.getpid()))
    detached = {
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _cwd_under(int(entry.name), data)
    }
    return sorted(own | detached)


def cpu_by_kind(data: Path) -> dict[str, float]:
    """Seconds of CPU (user + system) each kind of server process has used so far."""
    seconds: dict[str, float] = {}
    for pid in server_pids(data):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # Fields 14 and 15 of stat (utime, stime); the split starts at field 3 (state).
        user, system = int(fields[11]) / TICKS, int(fields[12]) / TICKS
        kind = _kind(pid)
        seconds[kind] = seconds.get(kind, 0.0) + user + system
        if kind == "python":  # how much of the workers' time the kernel spent for them
            seconds["python_in_kernel"] = seconds.get("python_in_kernel", 0.0) + system
    return seconds


async def race(
    conns: list[Connection],
    data: Path,
    rounds: int,
    body_of: Callable[[int, int], bytes],
    label: str,
) -> dict[str, Any]:
    """``rounds`` rounds of every guest at once; the server side's CPU per loser."""

    async def attempt(n: int, round_: int) -> int:
        status, _ = await conns[n].request(
            "POST",
            "/api/v1/properties/demo/holds",
            body_of(n, round_),
            {
                "X-Innkeep-Session": f"{label}-{round_:03d}-{n:03d}",
                "X-Forwarded-For": guest_address(n, round_ + 1),
            },
        )
        return status

    losers = winners = 0
    before = cpu_by_kind(data)
    for round_ in range(rounds):
        statuses = await asyncio.gather(*(attempt(n, round_) for n in range(len(conns))))
        unexpected = set(statuses) - {201, 409}
        assert not unexpected, unexpected
        winners += statuses.count(201)
        losers += statuses.count(409)
    after = cpu_by_kind(data)
    used = {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in after}
    total = sum(value for kind, value in used.items() if kind != "python_in_kernel")
    return {
        "rounds": rounds,
        "winners": winners,
        "losers": losers,
        "cpu_ms_per_loser": round(total * 1000 / max(losers, 1), 3),
        "by_kind_ms_per_loser": {
            kind: round(value * 1000 / max(losers, 1), 3) for kind, value in sorted(used.items())
        },
    }


def _night(first: date, round_: int) -> date:
    # Monday to Thursday nights only: no weekend minimum stay in the way.
    return first + timedelta(days=7 * (round_ // 4) + round_ % 4)


async def run(url: str, data: Path, rounds: int, group_rounds: int) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    conns = spread([(host, int(port))], GUESTS)
    single_first, group_first = monday(290), monday(480)
    # Uncounted: open the connections and warm both workers up, on nights of their own
    # (after the counted rounds' nights, however many rounds: a night the warm-up won
    # would give a counted round no winner).
    await race(
        conns,
        data,
        3,
        lambda n, r: stay("garden-single", _night(single_first, rounds + r), 1),
        "w1",
    )
    await race(
        conns, data, 3, lambda n, r: group(PAIRS[0], _night(group_first, group_rounds + r)), "w2"
    )
    single = await race(
        conns, data, rounds, lambda n, r: stay("garden-single", _night(single_first, r), 1), "race"
    )
    groups = await race(
        conns,
        data,
        group_rounds,
        lambda n, r: group(PAIRS[n % len(PAIRS)], _night(group_first, r)),
        "group",
    )
    return {"one_unit": single, "groups": groups}


def main() -> None:
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    os.sched_setaffinity(0, {client_core})
    rounds = int(os.environ.get("BENCH_ROUNDS", "40"))
    group_rounds = int(os.environ.get("BENCH_GROUP_ROUNDS", "40"))
    workers = int(os.environ.get("BENCH_RACE_WORKERS", "2"))  # as in bench/holds.py
    with stack(workers=workers, server_cores=server_cores, **LOAD_ENV) as (url, database_url):
        # Postgres's socket folder is in the stack's data folder, beside Valkey's.
        sockets = parse_qs(urlsplit(database_url).query)["host"][0]
        result = asyncio.run(run(url, Path(sockets).parent, rounds, group_rounds))
    print(machine())
    print(
        f"server on cores {sorted(server_cores)}, client on core {client_core}; {workers} workers"
    )
    for name, figures in result.items():
        kinds = ", ".join(f"{k} {v:.3f}" for k, v in figures["by_kind_ms_per_loser"].items())
        print(
            f"{name}: {figures['rounds']} rounds, {figures['losers']} losers, "
            f"{figures['winners']} winners; server CPU per loser {figures['cpu_ms_per_loser']:.3f}"
            f" ms ({kinds})"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
