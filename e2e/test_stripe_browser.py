"""The Stripe provider in the browser, offline: Stripe.js is the QA kit's fake
(`widget.testing.fake_stripe`), which mounts its card form in a frame shaped as Stripe's
Payment Element and confirms the payment at the local Stripe stand-in, as Stripe.js does.

Checked: Stripe.js is fetched only at the payment step and only with the Stripe provider;
the widget mounts the Payment Element for the held quote, the guest's test card is typed
into Stripe's frame (never into the widget's page), the widget submits it, checks out,
confirms the payment with the client secret the service created, and the booking ends
captured; the journeys pay with Stripe's test cards, 3-D Secure challenge included."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from e2e.conftest import (
    DEMO_HOLD_SECONDS,
    DEMO_TESTING_TOKEN,
    Deployment,
    apply_property,
    serving_host_pages,
    started_demo,
)
from e2e.test_plans_browser import MORE
from e2e.test_qa_journeys import journeys
from e2e.widget_steps import pick_dates, room, widget, widget_frame
from tests.payments.stripe_standin import StripeStandIn, start
from widget.testing.booking_widget import STRIPE_INPUTS
from widget.testing.fake_stripe import STRIPE_JS, use_fake_stripe


@pytest.fixture(scope="module")
def standin() -> Iterator[StripeStandIn]:
    stand_in = StripeStandIn()
    server = start(stand_in)
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def stripe_deployment(standin: StripeStandIn) -> Iterator[Deployment]:
    """A second demo whose payment provider is Stripe, pointed at the local stand-in."""
    stripe_env = {
        "INNKEEP_STRIPE_SECRET_KEY": "sk_test_standin",
        "INNKEEP_STRIPE_PUBLISHABLE_KEY": "pk_test_standin",
        "INNKEEP_STRIPE_WEBHOOK_SECRET": "whsec_standin",
        "INNKEEP_STRIPE_API_BASE": standin.url,
    }
    with contextlib.ExitStack() as stack:
        service, data_dir, _ = stack.enter_context(started_demo(DEMO_HOLD_SECONDS, stripe_env))
        host = stack.enter_context(serving_host_pages(service))
        slug = f"e2e-stripe-{secrets.token_hex(3)}"
        apply_property(slug, host, data_dir)
        yield Deployment(service, host, host, slug, DEMO_HOLD_SECONDS, frozenset(), data_dir)


def stripe_requests(page: Page) -> list[str]:
    """Stripe.js fetched by the page (its script, not the frames it mounts)."""
    seen: list[str] = []

    def note(request: Request) -> None:
        if request.url.startswith(STRIPE_JS) and request.resource_type == "script":
            seen.append(request.url)

    page.on("request", note)
    return seen


def confirms(standin: StripeStandIn, since: int = 0) -> list[Any]:
    """Stripe.js's confirmations of payment intents at the stand-in (from call ``since``)."""
    return [
        c
        for c in standin.calls[since:]
        if c.path.startswith("/v1/payment_intents/") and c.path.endswith("/confirm")
    ]


def confirmed_cards(standin: StripeStandIn, since: int = 0) -> list[str]:
    """The cards Stripe.js confirmed payment intents with, in order."""
    return [c.params.get("payment_method") for c in confirms(standin, since)]


def test_stripe_js_is_loaded_only_at_the_payment_step_and_the_booking_is_captured(
    page: Page, stripe_deployment: Deployment, standin: StripeStandIn, stays: Any
) -> None:
    use_fake_stripe(page.context, standin.url)
    fetched = stripe_requests(page)
    before = len(standin.calls)
    page.goto(stripe_deployment.page())
    guest = widget(widget_frame(page))
    guest.pick_stay(*stays(2))
    assert fetched == []  # not for the calendar, the rooms or the price
    guest.choose_room("twin")
    card_number = guest.stripe_card_frame().locator(STRIPE_INPUTS["number"])
    expect(card_number).to_be_editable()
    assert len(fetched) == 1  # now, at the payment step, and once

    guest.fill_guest()
    guest.pay(card="success")
    reference = guest.expect_confirmation()

    # The card was typed into Stripe's frame: the widget's own page never held it.
    assert "4242" not in guest.frame.locator("input").evaluate_all(
        "inputs => inputs.map(i => i.value).join(' ')"
    )
    calls = guest.frame.evaluate("fakeStripeCalls")
    assert [c[0] for c in calls] == [
        "Stripe",
        "elements",
        "create",
        "mount",
        "submit",
        "confirmPayment",
    ]
    assert calls[0][1] == "pk_test_standin"
    assert calls[1][1:] == ["payment", calls[1][2], "eur", "manual"]
    assert calls[5][1] == "if_required"
    [confirmed] = confirms(standin, before)
    assert confirmed.params["payment_method"] == "pm_card_visa"
    intent = standin.intents[confirmed.path.split("/")[3]]
    assert intent["amount"] == calls[1][2]  # the held quote's amount due now
    assert intent["capture_method"] == "manual"
    assert intent["status"] == "succeeded"  # captured once the booking committed
    assert reference


def test_a_card_stripe_s_form_finds_incomplete_is_refused_in_its_words_and_the_hold_kept(
    page: Page, stripe_deployment: Deployment, standin: StripeStandIn, stays: Any
) -> None:
    use_fake_stripe(page.context, standin.url)
    page.goto(stripe_deployment.page())
    guest = widget(widget_frame(page))
    guest.pick_stay(*stays(2))
    guest.choose_room("twin")
    guest.fill_guest()
    assert guest.has_card_form()
    # Only the number, typed into Stripe's frame: Stripe.js refuses before any checkout.
    guest.stripe_card_frame().locator(STRIPE_INPUTS["number"]).fill("4242 4242 4242 4242")
    before = len(standin.calls)
    guest.by_id("pay").click()
    expect(guest.error()).to_contain_text("expiration date is incomplete")
    expect(guest.countdown()).to_be_visible()
    assert confirms(standin, before) == []
    guest.pay(card="success")  # the whole card this time
    guest.expect_confirmation()
    assert confirmed_cards(standin, before) == ["pm_card_visa"]


def test_the_demo_provider_never_loads_stripe_js(
    page: Page, deployment: Deployment, stays: Any
) -> None:
    fetched = stripe_requests(page)
    page.goto(deployment.page())
    frame = widget_frame(page)
    check_in, check_out = stays(2)
    pick_dates(frame, check_in, check_out)
    room(frame, "twin").get_by_test_id("choose").click()
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    expect(frame.get_by_text("no money is taken")).to_be_visible()
    assert fetched == []


def test_pay_at_the_property_saves_the_card_as_a_guarantee_and_charges_nothing(
    page: Page, stripe_deployment: Deployment, standin: StripeStandIn, stays: Any
) -> None:
    use_fake_stripe(page.context, standin.url)
    slug = f"{stripe_deployment.slug}-plans"
    apply_property(slug, stripe_deployment.host, stripe_deployment.data_dir, more=MORE)
    page.goto(stripe_deployment.page(slug=slug))
    guest = widget(widget_frame(page))
    guest.pick_stay(*stays(2))
    guest.choose_plan("on-arrival", room="twin")
    guest.choose_room("twin")
    expect(guest.by_id("guarantee")).to_be_visible()
    assert guest.has_card_form()  # Stripe's card form, to keep the card
    guest.fill_guest()
    guest.pay()
    guest.expect_confirmation()

    calls = guest.frame.evaluate("fakeStripeCalls")
    assert [c[0] for c in calls] == [
        "Stripe",
        "elements",
        "create",
        "mount",
        "submit",
        "confirmSetup",
    ]
    assert calls[1][1] == "setup"  # the card is saved, not charged
    saved = [s for s in standin.setup_intents.values() if s["status"] == "succeeded"]
    assert len(saved) == 1
    assert saved[0]["payment_method"] == "pm_card_visa"  # the card typed into Stripe's frame
    assert not [i for i in standin.intents.values() if i.get("customer") == saved[0]["customer"]]


def test_the_journeys_pay_with_stripe_s_test_cards_through_the_fake_stripe_js(
    stripe_deployment: Deployment, standin: StripeStandIn
) -> None:
    # innkeep qa journeys against the Stripe deployment, its browser given the kit's fake
    # Stripe.js whose calls go to the local stand-in: the cards typed into Stripe's frame, a
    # declined card then another, and a 3-D Secure challenge failed then completed in
    # Stripe's challenge frame; both bookings cancelled, nothing skipped.
    run = journeys(
        "--site",
        stripe_deployment.page(),
        "--token",
        DEMO_TESTING_TOKEN,
        "--stripe-standin",
        standin.url,
        "--journey",
        "declined_card_then_another",
        "--journey",
        "authentication_then_booked",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASS  declined_card_then_another" in run.stdout, run.stdout
    assert "PASS  authentication_then_booked" in run.stdout, run.stdout
    assert "Cleaned up: 2 booking(s) cancelled" in run.stdout, run.stdout
    assert "0 skipped" in run.stdout, run.stdout
    cards = confirmed_cards(standin)
    assert cards[-4:] == [
        "pm_card_chargeDeclined",
        "pm_card_visa",
        "pm_card_authenticationRequired",
        "pm_card_authenticationRequired",
    ]
    authenticated = [c.params["passed"] for c in standin.calls if c.path.endswith("/authenticate")]
    assert authenticated == ["false", "true"]
