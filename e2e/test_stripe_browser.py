"""The Stripe provider in the browser, offline: Stripe.js is replaced by a small fake that
records what the widget asks of it and authorises the payment at the local Stripe stand-in,
as the real Payment Element would after the guest's card (and 3-D Secure) succeeded.

Checked: Stripe.js is fetched only at the payment step and only with the Stripe provider;
the widget mounts the Payment Element for the held quote, submits it, checks out, confirms
the payment with the client secret the service created, and the booking ends captured."""

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
from e2e.widget_steps import fill_guest, pick_dates, room, widget, widget_frame
from tests.payments.stripe_standin import StripeStandIn, start

STRIPE_JS = "https://js.stripe.com/"

# What the widget uses of Stripe.js, recording each call in window.stripeCalls.
FAKE_STRIPE_JS = """
window.stripeCalls = [];
window.Stripe = function (publishableKey, options) {
  stripeCalls.push(['Stripe', publishableKey, options.locale]);
  return {
    elements(settings) {
      stripeCalls.push(['elements', settings.mode, settings.amount, settings.currency,
                        settings.captureMethod]);
      return {
        create(kind) {
          stripeCalls.push(['create', kind]);
          return {
            mount(box) { box.textContent = 'card •••• 4242'; stripeCalls.push(['mount']); },
            on() {},
          };
        },
        async submit() { stripeCalls.push(['submit']); return {}; },
      };
    },
    async confirmPayment(args) {
      stripeCalls.push(['confirmPayment', args.redirect]);
      await window.authoriseAtStripe(args.clientSecret);
      return { paymentIntent: { status: 'requires_capture' } };
    },
    async confirmSetup(args) {
      stripeCalls.push(['confirmSetup', args.redirect]);
      await window.saveCardAtStripe(args.clientSecret);
      return { setupIntent: { status: 'succeeded' } };
    },
  };
};
"""


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
    seen: list[str] = []

    def note(request: Request) -> None:
        if request.url.startswith(STRIPE_JS):
            seen.append(request.url)

    page.on("request", note)
    return seen


def test_stripe_js_is_loaded_only_at_the_payment_step_and_the_booking_is_captured(
    page: Page, stripe_deployment: Deployment, standin: StripeStandIn, stays: Any
) -> None:
    page.route(
        STRIPE_JS + "**",
        lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=FAKE_STRIPE_JS
        ),
    )

    def authorise(client_secret: str) -> None:
        standin.authorise(client_secret.split("_secret_")[0])

    page.expose_function("authoriseAtStripe", authorise)
    fetched = stripe_requests(page)

    page.goto(stripe_deployment.page())
    frame = widget_frame(page)
    check_in, check_out = stays(2)
    pick_dates(frame, check_in, check_out)
    assert fetched == []  # not for the calendar, the rooms or the price
    room(frame, "twin").get_by_test_id("choose").click()
    expect(frame.get_by_test_id("countdown")).to_be_visible()
    expect(frame.locator("text=card •••• 4242")).to_be_visible()
    assert len(fetched) == 1  # now, at the payment step, and once

    fill_guest(frame)
    frame.get_by_test_id("pay").click()
    expect(frame.get_by_test_id("confirmation")).to_be_visible()
    reference = frame.get_by_test_id("booking-reference").inner_text()

    calls = frame.evaluate("stripeCalls")
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
    [intent] = standin.intents.values()
    assert intent["amount"] == calls[1][2]  # the held quote's amount due now
    assert intent["capture_method"] == "manual"
    assert intent["status"] == "succeeded"  # captured once the booking committed
    assert reference


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
    page.route(
        STRIPE_JS + "**",
        lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=FAKE_STRIPE_JS
        ),
    )
    page.expose_function(
        "saveCardAtStripe", lambda secret: standin.confirm_setup(secret.split("_secret_")[0])
    )
    slug = f"{stripe_deployment.slug}-plans"
    apply_property(slug, stripe_deployment.host, stripe_deployment.data_dir, more=MORE)
    page.goto(stripe_deployment.page(slug=slug))
    guest = widget(widget_frame(page))
    guest.pick_stay(*stays(2))
    guest.choose_plan("on-arrival", room="twin")
    guest.choose_room("twin")
    expect(guest.frame.locator("text=card •••• 4242")).to_be_visible()
    expect(guest.by_id("guarantee")).to_be_visible()
    guest.fill_guest()
    guest.pay()
    guest.expect_confirmation()

    calls = guest.frame.evaluate("stripeCalls")
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
    assert not [i for i in standin.intents.values() if i.get("customer") == saved[0]["customer"]]


def test_the_journeys_pay_with_stripe_s_test_cards_through_the_fake_stripe_js(
    stripe_deployment: Deployment, standin: StripeStandIn
) -> None:
    # innkeep qa journeys against the Stripe deployment, its browser given the kit's fake
    # Stripe.js whose calls go to the local stand-in: a declined card then another, and a
    # 3-D Secure check failed then passed; both bookings cancelled.
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
    cards = [
        c.params.get("payment_method")
        for c in standin.calls
        if c.path.startswith("/v1/payment_intents/") and c.path.endswith("/confirm")
    ]
    assert cards == [
        "pm_card_chargeDeclined",
        "pm_card_visa",
        "pm_card_authenticationRequired",
        "pm_card_authenticationRequired",
    ]
    authenticated = [c.params["passed"] for c in standin.calls if c.path.endswith("/authenticate")]
    assert authenticated == ["false", "true"]
