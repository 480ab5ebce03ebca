"""Journeys on a bad network: a slow phone link (Chromium's network emulation), and the
network gone at the moment the guest pays."""

from __future__ import annotations

import contextlib
from typing import Any

from widget.testing.journey_base import (
    GUEST_EMAIL,
    GUEST_NAME,
    JourneySkipped,
    Run,
    find_widget,
    free_stay,
    guest,
    hold_a_room,
    open_site,
)

#: A slow phone link: 300 ms round trips, 1.6 Mbit/s down, 750 kbit/s up (bytes per second).
SLOW_LINK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
#: How long a guest on that link may wait for the widget, or for a stay's rooms.
SLOW_TIMEOUT = 30_000


def _throttle(context: Any, target: Any) -> None:
    session = context.new_cdp_session(target)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", SLOW_LINK)


def slow_network(run: Run) -> None:
    """On a slow phone link (300 ms round trips) the widget appears with priced nights and
    quotes a stay, in time a guest would wait. Chromium only (its network emulation)."""
    if run.browser.browser_type.name != "chromium":
        raise JourneySkipped("network emulation is Chromium's; run it there")
    with open_site(run) as page:
        _throttle(page.context, page)
        page.goto(run.site)
        widget = find_widget(run, page, timeout=SLOW_TIMEOUT)
        # A widget from another site runs in its own process: slow its link too (a same-site
        # frame shares the page's, already slowed, and has no session of its own).
        with contextlib.suppress(Exception):
            _throttle(page.context, widget.frame)
        free_stay(widget, timeout=SLOW_TIMEOUT)
        assert widget.by_id("total").first.inner_text().strip(), "a room shows no total"


def offline_during_payment(run: Run) -> None:
    """The network drops as the guest pays: the widget says it cannot reach the service,
    keeps the hold, and the booking goes through once the network is back. The booking
    is cancelled afterwards."""
    with guest(run) as widget:
        hold_a_room(widget)
        widget.fill_guest(GUEST_NAME, GUEST_EMAIL)
        widget.has_card_form()  # Stripe's form, where shown, loaded while online
        context = widget.page.context
        context.set_offline(True)
        try:
            widget.pay()
            widget.error().wait_for(state="visible", timeout=15_000)
            said = widget.error().inner_text().strip()
            codes = [e["detail"].get("code") for e in widget.events("error")]
            assert "offline" in codes, f"offline, the widget said {said!r} (codes {codes})"
            assert widget.countdown().is_visible(), "the hold was lost while offline"
        finally:
            context.set_offline(False)
        widget.pay()
        widget.expect_confirmation()
