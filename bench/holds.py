"""Hold latency and correctness under load, against ``innkeep serve`` on real Postgres and
Redis, with the client pinned to its own core. Three runs:

1. one guest at a time: p50/p99 of a hold (released again at once);
   then the floor of the races: 100 guests asking ``/healthz`` at once, round after round,
   over the same connections and workers: the cheapest answer the app gives, so no hold
   code can make a loser's p99 lower than this on the machine; the races' p99 are also
   printed as ratios to it;
2. 100 guests racing for the same unit-night, 100 rounds: exactly one winner per round,
   and the losers' latency;
3. 100 guests each asking for a group of two rooms at once (overlapping sets of the six
   units, one night per round), 50 rounds: overlaps and partly held groups (must be 0),
   at most three groups per round, and the losers' latency;
4. 10,000 hold attempts from 100 guests across 4 worker processes over two months of
   dates: overlaps (must be 0) and the latency at that load.

The client is a minimal HTTP/1.1 keep-alive client on asyncio: an off-the-shelf Python
client would spend more time per request than the server. JSON figures on the last line.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from typing import Any

import psycopg
from stack import machine, percentile, stack

LOAD_ENV = {
    # Every guest of the load comes through 127.0.0.1, as if through a proxy, with an
    # address of its own (a documentation network, only ever written in a header), so each
    # is counted as the guest it plays; the deployment-wide caps and the attempts throttle
    # are lifted, and the property's fair share (bench/stack.py) is what binds.
    "INNKEEP_TRUSTED_PROXIES": "127.0.0.1/32",
    "INNKEEP_HOLDS_PER_ADDRESS": "1000000",
    "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE": "1000000",
    "INNKEEP_HOLDS_PER_SESSION": "1000000",
}


def guest_address(n: int, round_: int = 0) -> str:
    """The address guest ``n`` (of a race's round) is counted by: a /64 of its own in the
    IPv6 documentation prefix 2001:db8::/32."""
    return f"2001:db8:{round_:x}:{n:x}::1"


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for JSON POST/DELETE."""

    def __init__(self, host: str, port: int, address: str = "2001:db8::1") -> None:
        self.host, self.port = host, port
        self.address = address
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
            "Content-Type: application/json",
        ]
        headers = {"X-Forwarded-For": self.address, **(headers or {})}
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)


def stay(room_type: str, check_in: date, nights: int, adults: int = 1) -> bytes:
    return json.dumps(
        {
            "room_type": room_type,
            "check_in": str(check_in),
            "check_out": str(check_in + timedelta(days=nights)),
            "adults": adults,
        }
    ).encode()


def monday(days_ahead: int) -> date:
    day = date.today() + timedelta(days=days_ahead)
    return day + timedelta(days=(0 - day.weekday()) % 7)


async def one_at_a_time(host: str, port: int, count: int) -> dict[str, float]:
    conn = Connection(host, port)
    latencies = []
    first = monday(30)
    for n in range(count + 20):
        body = stay("double-sea-view", first + timedelta(days=n % 4), 1)
        began = time.perf_counter()
        status, answer = await conn.request(
            "POST",
            "/api/v1/properties/demo/holds",
            body,
            {"X-Innkeep-Session": f"solo-guest-{n:06d}"},
        )
        elapsed = time.perf_counter() - began
        assert status == 201, answer
        held = json.loads(answer)
        await conn.request(
            "DELETE", f"/api/v1/holds/{held['id']}", b"", {"X-Hold-Token": held["token"]}
        )
        if n >= 20:  # the first ones warm the worker up
            latencies.append(elapsed * 1000)
    return {"p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99)}


Endpoint = tuple[str, int]


async def hello_race(endpoints: list[Endpoint], guests: int, rounds: int) -> dict[str, float]:
    """``guests`` asking ``GET /healthz`` at once, ``rounds`` times (one uncounted round
    first opens the connections): the latency a race's losers cannot go below here."""
    conns = spread(endpoints, guests)

    async def ask(n: int) -> float:
        began = time.perf_counter()
        status, answer = await conns[n].request("GET", "/healthz")
        assert status == 200, answer
        return (time.perf_counter() - began) * 1000

    await asyncio.gather(*(ask(n) for n in range(guests)))
    latencies: list[float] = []
    for _ in range(rounds):
        latencies += await asyncio.gather(*(ask(n) for n in range(guests)))
    return {"p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99)}


def spread(endpoints: list[Endpoint], guests: int) -> list[Connection]:
    """One connection per guest, the guests spread over the hosts in turn."""
    return [Connection(*endpoints[n % len(endpoints)], guest_address(n)) for n in range(guests)]


async def racing(endpoints: list[Endpoint], guests: int, rounds: int) -> dict[str, Any]:
    conns = spread(endpoints, guests)
    winners_per_round = []
    loser_ms: list[float] = []
    first = monday(290)  # autumn to spring: no summer minimum stay
    # One uncounted round first, on a night of its own: it opens the 100 connections and
    # warms both workers, which is the client's cost, not the hold's.
    warm_up = stay("garden-single", first - timedelta(days=7), 1)
    await asyncio.gather(
        *(
            conns[n].request(
                "POST",
                "/api/v1/properties/demo/holds",
                warm_up,
                {"X-Innkeep-Session": f"warm-up-{n:03d}"},
            )
            for n in range(guests)
        )
    )
    for round_ in range(rounds):
        # Monday to Thursday nights only: no weekend minimum stay in the way.
        night = first + timedelta(days=7 * (round_ // 4) + round_ % 4)
        body = stay("garden-single", night, 1)

        async def attempt(n: int, body: bytes = body, round_: int = round_) -> tuple[int, float]:
            began = time.perf_counter()
            status, _ = await conns[n].request(
                "POST",
                "/api/v1/properties/demo/holds",
                body,
                # A new crowd of guests each round, as in life: the last round's winner is
                # not the next one's too, so no guest piles up holds.
                {
                    "X-Innkeep-Session": f"racer-{round_:03d}-{n:03d}",
                    "X-Forwarded-For": guest_address(n, round_ + 1),
                },
            )
            return status, (time.perf_counter() - began) * 1000

        results = await asyncio.gather(*(attempt(n) for n in range(guests)))
        winners_per_round.append(sum(1 for status, _ in results if status == 201))
        loser_ms += [ms for status, ms in results if status == 409]
        unexpected = {status for status, _ in results} - {201, 409}
        assert not unexpected, unexpected
    return {
        "rounds_with_exactly_one_winner": sum(1 for w in winners_per_round if w == 1),
        "rounds": rounds,
        "losers_p50_ms": percentile(loser_ms, 0.5),
        "losers_p99_ms": percentile(loser_ms, 0.99),
    }


#: The two rooms a guest of the group race asks for: every pair overlaps another's.
PAIRS = [
    ("garden-single", "double-sea-view"),
    ("garden-single", "family-suite"),
    ("double-sea-view", "family-suite"),
    ("double-sea-view", "double-sea-view"),
    ("family-suite", "family-suite"),
]


def group(rooms: tuple[str, str], check_in: date) -> bytes:
    return json.dumps(
        {
            "check_in": str(check_in),
            "check_out": str(check_in + timedelta(days=1)),
            "rooms": [{"room_type": room, "adults": 1} for room in rooms],
        }
    ).encode()


async def group_race(endpoints: list[Endpoint], guests: int, rounds: int) -> dict[str, Any]:
    """Guests asking at once for overlapping two-room groups on one night, round by round."""
    conns = spread(endpoints, guests)
    first = monday(480)  # nights neither the race nor the crowd uses
    warm_up = group(PAIRS[0], first - timedelta(days=7))
    await asyncio.gather(
        *(
            conns[n].request(
                "POST",
                "/api/v1/properties/demo/holds",
                warm_up,
                {"X-Innkeep-Session": f"group-warm-up-{n:03d}"},
            )
            for n in range(guests)
        )
    )
    most_winners = 0
    loser_ms: list[float] = []
    for round_ in range(rounds):
        night = first + timedelta(days=7 * (round_ // 4) + round_ % 4)

        async def attempt(n: int, night: date = night, round_: int = round_) -> tuple[int, float]:
            began = time.perf_counter()
            status, _ = await conns[n].request(
                "POST",
                "/api/v1/properties/demo/holds",
                group(PAIRS[n % len(PAIRS)], night),
                {
                    "X-Innkeep-Session": f"group-{round_:03d}-{n:03d}",
                    "X-Forwarded-For": guest_address(n, 0x1000 + round_),
                },
            )
            return status, (time.perf_counter() - began) * 1000

        results = await asyncio.gather(*(attempt(n) for n in range(guests)))
        most_winners = max(most_winners, sum(1 for status, _ in results if status == 201))
        loser_ms += [ms for status, ms in results if status == 409]
        unexpected = {status for status, _ in results} - {201, 409}
        assert not unexpected, unexpected
    return {
        "rounds": rounds,
        "most_groups_in_a_round": most_winners,
        "losers_p50_ms": percentile(loser_ms, 0.5),
        "losers_p99_ms": percentile(loser_ms, 0.99),
    }


def partial_groups(database_url: str) -> int:
    """Groups of which some rooms are held or booked and some not: must be none."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM (
                 SELECT group_id FROM reservation WHERE group_id IS NOT NULL
                 GROUP BY group_id
                 HAVING count(*) FILTER (WHERE status IN ('held', 'confirmed'))
                        NOT IN (0, count(*))) broken"""
        ).fetchone()
    assert row is not None
    return int(row[0])


async def crowd(endpoints: list[Endpoint], guests: int, attempts: int) -> dict[str, Any]:
    room_types = [("double-sea-view", 2), ("family-suite", 2), ("garden-single", 1)]
    per_guest = attempts // guests
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    first = monday(200)

    conns = spread(endpoints, guests)
    # As in the race: one uncounted request each first, on nights after the two months,
    # opens the client's connections and grows the workers' Postgres pools.
    warm_up = stay("garden-single", first + timedelta(days=90), 1)
    await asyncio.gather(
        *(
            conns[n].request(
                "POST",
                "/api/v1/properties/demo/holds",
                warm_up,
                {"X-Innkeep-Session": f"crowd-warm-up-{n:03d}"},
            )
            for n in range(guests)
        )
    )

    async def guest(n: int) -> None:
        conn = conns[n]
        rng = random.Random(n)
        for i in range(per_guest):
            room_type, adults = rng.choice(room_types)
            check_in = first + timedelta(days=rng.randrange(0, 60))
            body = stay(room_type, check_in, rng.choice([3, 4]), adults)
            began = time.perf_counter()
            status, _ = await conn.request(
                "POST",
                "/api/v1/properties/demo/holds",
                body,
                {"X-Innkeep-Session": f"crowd-{n:03d}-{i:05d}"},
            )
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(guest(n) for n in range(guests)))
    elapsed = time.perf_counter() - began
    return {
        "attempts": per_guest * guests,
        "granted": statuses.get(201, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "attempts_per_s": round(per_guest * guests / elapsed),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
    }


def overlaps(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM reservation a JOIN reservation b
                 ON a.unit_id = b.unit_id AND a.id < b.id AND a.stay && b.stay
               WHERE a.status IN ('held', 'confirmed', 'blocked')
                 AND b.status IN ('held', 'confirmed', 'blocked')"""
        ).fetchone()
    assert row is not None
    return int(row[0])


def main() -> None:
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    os.sched_setaffinity(0, {client_core})
    solo_count = int(os.environ.get("BENCH_SOLO", "500"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "100"))
    attempts = int(os.environ.get("BENCH_ATTEMPTS", "10000"))
    group_rounds = int(os.environ.get("BENCH_GROUP_ROUNDS", "50"))
    # The races' workers (the crowd always has 4): workers on one core take turns with each
    # other, Postgres and Redis; one worker per core is what operations.md advises.
    race_workers = int(os.environ.get("BENCH_RACE_WORKERS", "2"))

    with stack(workers=race_workers, server_cores=server_cores, **LOAD_ENV) as (url, database_url):
        host, port = url.removeprefix("http://").split(":")
        solo = asyncio.run(one_at_a_time(host, int(port), solo_count))
        floor = asyncio.run(hello_race([(host, int(port))], 100, rounds))
        race = asyncio.run(racing([(host, int(port))], 100, rounds))
        race["overlaps"] = overlaps(database_url)
        groups = asyncio.run(group_race([(host, int(port))], 100, group_rounds))
        groups["overlaps"] = overlaps(database_url)
        groups["partial_groups"] = partial_groups(database_url)
    with stack(workers=4, server_cores=server_cores, **LOAD_ENV) as (url, database_url):
        host, port = url.removeprefix("http://").split(":")
        load = asyncio.run(crowd([(host, int(port))], 100, attempts))
        load["overlaps"] = overlaps(database_url)

    print(machine())
    print(
        f"server on cores {sorted(server_cores)}, client on core {client_core}; "
        f"{race_workers} worker(s) for the races"
    )
    print(
        f"one guest at a time: p50 {solo['p50_ms']:.1f} ms, p99 {solo['p99_ms']:.1f} ms "
        f"(target p99 ≤ 20 ms)"
    )
    print(
        f"the floor, 100 guests asking /healthz at once, {rounds} rounds: "
        f"p50 {floor['p50_ms']:.1f} ms, p99 {floor['p99_ms']:.1f} ms"
    )
    race_ratio = race["losers_p99_ms"] / floor["p99_ms"]
    group_ratio = groups["losers_p99_ms"] / floor["p99_ms"]
    print(
        f"100 guests racing for one unit-night, {race['rounds']} rounds: "
        f"{race['rounds_with_exactly_one_winner']} rounds with exactly one winner; "
        f"losers p50 {race['losers_p50_ms']:.1f} ms, p99 {race['losers_p99_ms']:.1f} ms "
        f"({race_ratio:.2f} × the floor; target ≤ 50 ms); overlaps {race['overlaps']}"
    )
    print(
        f"100 guests racing for overlapping two-room groups, {groups['rounds']} rounds: "
        f"at most {groups['most_groups_in_a_round']} groups held in a round (of 3 possible); "
        f"losers p50 {groups['losers_p50_ms']:.1f} ms, p99 {groups['losers_p99_ms']:.1f} ms "
        f"({group_ratio:.2f} × the floor; target ≤ 50 ms); overlaps {groups['overlaps']}, "
        f"partly held groups {groups['partial_groups']}"
    )
    print(
        f"{load['attempts']} attempts, 100 guests, 4 workers: {load['granted']} held, "
        f"{load['attempts_per_s']}/s, p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms; "
        f"overlaps {load['overlaps']}"
    )
    result = {
        "race_workers": race_workers,
        "solo_p50_ms": round(solo["p50_ms"], 2),
        "solo_p99_ms": round(solo["p99_ms"], 2),
        "floor_p50_ms": round(floor["p50_ms"], 2),
        "floor_p99_ms": round(floor["p99_ms"], 2),
        "race_rounds": race["rounds"],
        "race_rounds_with_one_winner": race["rounds_with_exactly_one_winner"],
        "race_losers_p99_ms": round(race["losers_p99_ms"], 2),
        "race_losers_p99_to_floor": round(race_ratio, 2),
        "race_overlaps": race["overlaps"],
        "group_rounds": groups["rounds"],
        "group_most_in_a_round": groups["most_groups_in_a_round"],
        "group_losers_p99_ms": round(groups["losers_p99_ms"], 2),
        "group_losers_p99_to_floor": round(group_ratio, 2),
        "group_overlaps": groups["overlaps"],
        "group_partial": groups["partial_groups"],
        "load_attempts": load["attempts"],
        "load_granted": load["granted"],
        "load_p50_ms": round(load["p50_ms"], 2),
        "load_p99_ms": round(load["p99_ms"], 2),
        "load_attempts_per_s": load["attempts_per_s"],
        "load_overlaps": load["overlaps"],
    }
    print(json.dumps(result))
    if race["overlaps"] or load["overlaps"] or race["rounds_with_exactly_one_winner"] != rounds:
        sys.exit("a double booking or a round without exactly one winner")
    if groups["overlaps"] or groups["partial_groups"] or groups["most_groups_in_a_round"] > 3:
        sys.exit("a double booking, a partly held group, or more groups than rooms")


if __name__ == "__main__":
    main()
