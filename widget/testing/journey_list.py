"""Innkeep's standard journeys: each a fresh guest on the site, each cleaning up after
itself (`journey_base`). ``JOURNEYS`` lists them with whether they book (hold or pay)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from widget.testing.booking_widget import BookingWidget
from widget.testing.host_events import BOOKING_FLOW, check_events
from widget.testing.journey_base import (
    GUEST_EMAIL,
    GUEST_NAME,
    GUEST_NOTE,
    GUEST_PHONE,
    GUEST_TYPED,
    ROOM_GIVEN,
    JourneySkipped,
    Run,
    amount,
    first_room,
    free_stay,
    guest,
    hold_a_room,
)
from widget.testing.journey_looks import (
    dialog_by_keyboard,
    keeps_size_and_readability,
    no_serious_accessibility_problem,
)
from widget.testing.journey_network import offline_during_payment, slow_network


def widget_appears(run: Run) -> None:
    """The widget appears on the page and shows priced nights."""
    with guest(run) as widget:
        assert widget.priced_nights().count() > 0, "no priced night is shown"


#: The first room's breakdown as rows: their class (rule, night-row, sum) and texts.
_BREAKDOWN_ROWS = """box => [...box.querySelectorAll('tr')].map(tr => ({
  kind: tr.className, label: tr.querySelector('th').innerText.trim(),
  shown: tr.querySelector('td').innerText.trim() }))"""


def quote_adds_up(run: Run) -> None:
    """A stay is quoted and its breakdown adds up, in the money the widget shows: the nights
    and the stay's lines make the total (the room's shown total), the rules' lines make the
    nights, and what is paid now, later and at the property makes the total again."""
    with guest(run) as widget:
        free_stay(widget)
        assert widget.wait_for_event("quote"), "the quote event carries nothing"
        offer = widget.by_id("room-type").first
        shown_total = amount(offer.get_by_test_id("total").inner_text())
        assert shown_total > 0, "a room is offered at no price"
        offer.get_by_test_id("breakdown").locator("summary").click()
        rows = offer.get_by_test_id("breakdown").evaluate(_BREAKDOWN_ROWS)
        _check_breakdown(rows, shown_total)


def _check_breakdown(rows: list[dict[str, str]], shown_total: int) -> None:
    kinds = [r["kind"] for r in rows]
    assert "night-row" in kinds, f"the breakdown lists no night: {rows}"
    first, last = kinds.index("night-row"), len(kinds) - 1 - kinds[::-1].index("night-row")
    nights = sum(amount(r["shown"]) for r in rows[first : last + 1])
    rules = sum(amount(r["shown"]) for r in rows[:first])
    # A stay line shown "(included)" is inside other amounts already (inclusive VAT).
    after = rows[last + 1 :]
    stay = sum(amount(r["shown"]) for r in after if r["kind"] == "rule" and "(" not in r["shown"])
    sums = [amount(r["shown"]) for r in rows if r["kind"] == "sum"]
    assert sums, f"the breakdown shows no total: {rows}"
    table = "; ".join(f"{r['label']} {r['shown']}" for r in rows)
    assert sums[0] == shown_total, f"the breakdown's total is not the room's ({table})"
    assert nights + stay == sums[0], f"nights and stay lines do not make the total ({table})"
    assert rules in (0, nights), f"the rules' lines do not make the nights ({table})"
    assert sum(sums[1:]) == sums[0], f"now, later and at the property do not make it ({table})"


def narrow_screen(run: Run) -> None:
    """At 360 px wide the widget fits (the screen, or a wider width the owner gave its
    container on purpose) and nothing in it overflows sideways."""
    with guest(run, width=360) as widget:
        box = widget.frame.frame_element().bounding_box()
        assert box is not None and box["height"] > 200, f"the widget is squeezed to {box}"
        room = widget.frame.frame_element().evaluate(ROOM_GIVEN)
        assert box["width"] <= max(360, room) + 1, f"the widget is {box} at 360 px"
        overflow = widget.frame.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the widget's content overflows sideways by {overflow} px"


def hold_shows_countdown(run: Run) -> None:
    """Choosing a room holds it and shows the time left."""
    with guest(run) as widget:
        hold_a_room(widget)
        text = widget.countdown().inner_text()
        assert any(c.isdigit() for c in text), f"the countdown says {text!r}"


#: An e-mail address no one could be written to: the widget must refuse it.
MALFORMED_EMAIL = "qa.journey-at-example.com"


def guest_form_refuses_bad_input(run: Run) -> None:
    """Paying with nothing filled in is refused, saying what is missing; so is paying with
    a malformed e-mail address, saying so (the e-mail field marked as the one at fault).
    The host page hears the refusals without what the guest typed."""
    with guest(run) as widget:
        hold_a_room(widget)
        widget.by_id("pay").click()
        widget.error().wait_for(state="visible")
        assert widget.error().inner_text().strip(), "the refusal says nothing"
        assert not widget.by_id("confirmation").is_visible(), "booked with an empty form"

        widget.fill_guest(GUEST_NAME, MALFORMED_EMAIL, GUEST_PHONE)
        widget.by_id("pay").click()
        email = widget.by_id("guest-email")
        expect(email, "the malformed e-mail address is not marked").to_have_attribute(
            "aria-invalid", "true"
        )
        said = widget.error().inner_text().strip()
        label = widget.frame.locator("label[for=guest-email]").inner_text().strip()
        assert said and label.lower() in said.lower(), (
            f"refusing {MALFORMED_EMAIL!r}, the widget says {said!r}, not naming {label!r}"
        )
        assert not widget.by_id("confirmation").is_visible(), "booked with a malformed e-mail"
        check_events(
            widget.events(),
            flow=("ready", "dates", "quote", "hold", "error"),
            personal=(*GUEST_TYPED, MALFORMED_EMAIL),
        )


def booking_completes(run: Run) -> None:
    """A guest books (the demo provider's success card); the host page hears every
    innkeep:* event in order, each in its documented shape, with nothing personal in any
    (`host_events.check_events`). The booking is cancelled afterwards."""
    with guest(run) as widget:
        free_stay(widget)
        widget.choose_room(first_room(widget))
        widget.choose_plan()
        widget.fill_guest(GUEST_NAME, GUEST_EMAIL, GUEST_PHONE, note=GUEST_NOTE)
        widget.pay(card="success")
        reference = widget.expect_confirmation()
        booked = widget.wait_for_event("booked")
        assert booked.get("reference") == reference, f"the booked event says {booked}"
        # Every innkeep:* event: documented, in its documented shape, in the journey's
        # order, and nothing the guest typed in any of them.
        check_events(widget.events(), flow=BOOKING_FLOW, personal=GUEST_TYPED)


def _to_payment(widget: BookingWidget) -> None:
    """A guest with a held room and their details filled, at the pay button. The test card
    goes into the demo provider's field or into Stripe's own card form (its frame); only a
    checkout that takes no card at all (paid at the property) skips the journey."""
    free_stay(widget)
    widget.choose_room(first_room(widget))
    widget.choose_plan()
    if not widget.has_card_form():
        raise JourneySkipped("the checkout takes no card (paid at the property, none kept)")
    widget.fill_guest(GUEST_NAME, GUEST_EMAIL)


def _refused_then_kept(widget: BookingWidget, words: tuple[str, ...]) -> None:
    """The payment was refused: the guest is told (with one of ``words``, when given),
    nothing is booked, and the hold is still theirs."""
    error = widget.error()
    error.wait_for(state="visible")
    said = error.inner_text().strip()
    assert said, "the refusal says nothing"
    assert not words or any(w in said.lower() for w in words), f"the refusal says {said!r}"
    assert not widget.by_id("confirmation").is_visible(), "booked although refused"
    assert widget.countdown().is_visible(), "the hold was lost with the refused card"
    widget.by_id("pay").wait_for(state="visible")


def declined_card_then_another(run: Run) -> None:
    """A declined card (Stripe's 4000 0000 0000 0002) is refused, saying so, and the room
    stays held; the guest pays with another card and books. The booking is cancelled."""
    with guest(run) as widget:
        _to_payment(widget)
        widget.pay(card="decline")
        _refused_then_kept(widget, ("declined", "refused"))
        widget.pay(card="success")
        widget.expect_confirmation()


def authentication_then_booked(run: Run) -> None:
    """A card that asks the bank to confirm (Stripe's 4000 0025 0000 3155): cancelling the
    bank's check books nothing and keeps the hold; paying again and confirming books. The
    booking is cancelled."""
    with guest(run) as widget:
        _to_payment(widget)
        widget.pay(card="authentication")
        widget.authenticate(confirm=False)
        _refused_then_kept(widget, ())  # the bank's words, in the widget's language
        widget.pay(card="authentication")
        widget.authenticate(confirm=True)
        widget.expect_confirmation()


Journey = Callable[[Run], Any]

#: Every journey, with whether it books (holds a room or pays): those run only in test mode.
JOURNEYS: list[tuple[Journey, bool]] = [
    (widget_appears, False),
    (quote_adds_up, False),
    (narrow_screen, False),
    (keeps_size_and_readability, False),
    (dialog_by_keyboard, False),
    (no_serious_accessibility_problem, False),
    (slow_network, False),
    (hold_shows_countdown, True),
    (guest_form_refuses_bad_input, True),
    (booking_completes, True),
    (declined_card_then_another, True),
    (authentication_then_booked, True),
    (offline_during_payment, True),
]
