"""What one worker remembers of the exports stays bounded, whatever the number of units."""

from __future__ import annotations

from datetime import date

from widget.inventory.catalogue import Versions
from widget.sync import export
from widget.sync.export import ExportFeed, ExportMemory, RenderedFeed


async def test_tokens_and_rendered_feeds_are_bounded_and_the_newest_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(export, "TOKENS", 8)
    monkeypatch.setattr(export, "FEEDS", 4)
    memory = ExportMemory()
    feeds = [ExportFeed(n, n, None, 1, "demo", 1, "Europe/Rome") for n in range(20)]
    for feed in feeds:
        memory.keep_feed(bytes([feed.id]), feed)
    assert memory.feed(bytes([0])) is None and memory.feed(bytes([19])) == feeds[19]
    assert sum(memory.feed(bytes([n])) is not None for n in range(20)) == 8

    reads = 0

    async def read() -> RenderedFeed:
        nonlocal reads
        reads += 1
        return RenderedFeed(b"", b'"e"', None, ())

    seen = Versions(1, 1, 1, "Europe/Rome", date(2027, 1, 1))
    for feed in feeds:
        await memory.rendered(feed, seen, read)
    assert reads == 20
    await memory.rendered(feeds[19], seen, read)  # kept: no read
    await memory.rendered(feeds[0], seen, read)  # long forgotten: read again
    assert reads == 21
