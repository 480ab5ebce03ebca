"""Requests that need the same read at the same moment share one."""

from __future__ import annotations

import asyncio

import pytest

from widget.coalesce import Coalesced


async def test_callers_arriving_while_a_read_runs_share_its_answer() -> None:
    shared: Coalesced[str, int] = Coalesced()
    reads = 0
    release = asyncio.Event()

    async def read() -> int:
        nonlocal reads
        reads += 1
        await release.wait()
        return 42

    waiting = [asyncio.create_task(shared.run("demo", read)) for _ in range(20)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [42] * 20
    assert reads == 1


async def test_a_read_that_has_finished_is_not_reused() -> None:
    shared: Coalesced[str, int] = Coalesced()
    answers = iter([1, 2])

    async def read() -> int:
        return next(answers)

    assert await shared.run("demo", read) == 1
    assert await shared.run("demo", read) == 2


async def test_different_keys_read_separately() -> None:
    shared: Coalesced[str, str] = Coalesced()
    release = asyncio.Event()

    async def read(name: str) -> str:
        await release.wait()
        return name

    first = asyncio.create_task(shared.run("a", lambda: read("a")))
    second = asyncio.create_task(shared.run("b", lambda: read("b")))
    await asyncio.sleep(0)
    release.set()
    assert list(await asyncio.gather(first, second)) == ["a", "b"]


async def test_a_failed_read_is_not_shared_each_waiter_reads_for_itself() -> None:
    shared: Coalesced[str, int] = Coalesced()
    release = asyncio.Event()
    reads = 0

    async def failing() -> int:
        nonlocal reads
        reads += 1
        await release.wait()
        raise ConnectionError("Postgres went away")

    async def working() -> int:
        nonlocal reads
        reads += 1
        return 7

    leader = asyncio.create_task(shared.run("demo", failing))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(shared.run("demo", working))
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(ConnectionError):
        await leader
    assert await waiter == 7
    assert reads == 2


async def test_a_cancelled_reader_leaves_the_waiters_to_read_for_themselves() -> None:
    shared: Coalesced[str, int] = Coalesced()
    never = asyncio.Event()

    async def stuck() -> int:
        await never.wait()
        return 0

    async def quick() -> int:
        return 5

    leader = asyncio.create_task(shared.run("demo", stuck))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(shared.run("demo", quick))
    await asyncio.sleep(0)
    leader.cancel()
    assert await waiter == 5
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_cancelled_waiter_does_not_cancel_the_read_for_the_others() -> None:
    shared: Coalesced[str, int] = Coalesced()
    release = asyncio.Event()

    async def read() -> int:
        await release.wait()
        return 3

    leader = asyncio.create_task(shared.run("demo", read))
    await asyncio.sleep(0)
    impatient = asyncio.create_task(shared.run("demo", read))
    patient = asyncio.create_task(shared.run("demo", read))
    await asyncio.sleep(0)
    impatient.cancel()
    release.set()
    assert await leader == 3
    assert await patient == 3
    with pytest.raises(asyncio.CancelledError):
        await impatient
