"""A fake Stripe.js for journeys against a deployment whose Stripe API is a local stand-in
(this project's CI: ``tests/payments/stripe_standin.py``), never Stripe itself.

`use_fake_stripe` makes a browser context load `FAKE_STRIPE_JS` for Stripe.js and send
the calls it makes to Stripe's API to the stand-in. The fake is a small Stripe.js: its
Payment Element is one card number field (``data-testid=card-number``, so the page object's
``pay(card=…)`` types Stripe's test cards into it), and ``confirmPayment`` confirms the
intent with that card as Stripe.js does (``POST /v1/payment_intents/{id}/confirm``, the
client secret as credential); where the card asks for authentication it shows a 3-D Secure
test page (``bank-check``, ``bank-confirm``, ``bank-cancel``, as the demo's bank step) and
answers it at the stand-in. Against Stripe's real test mode, Stripe's own form and test
cards are used instead (docs/qa.md).
"""

from __future__ import annotations

from typing import Any

STRIPE_JS = "https://js.stripe.com/"
STRIPE_API = "https://api.stripe.com/"

FAKE_STRIPE_JS = r"""
(() => {
  const CARDS = {
    '4242424242424242': 'pm_card_visa',
    '4000000000000002': 'pm_card_chargeDeclined',
    '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
    '4000002500003155': 'pm_card_authenticationRequired',
  };
  const FAILED = { code: 'payment_intent_authentication_failure', message: 'We are unable to '
    + 'authenticate your payment method. Please choose a different payment method and try '
    + 'again.' };
  let field = null;
  const make = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };
  async function post(path, params) {
    const answer = await fetch('https://api.stripe.com/v1/' + path, { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params) });
    return [answer.ok, await answer.json()];
  }
  const chosen = () => CARDS[(field ? field.value : '').replace(/[\s-]/g, '')];
  // Stripe's 3-D Secure test page, as a modal over the widget.
  const bankCheck = () => new Promise((done) => {
    const box = make('div', { 'data-testid': 'bank-check', role: 'dialog', 'aria-modal': 'true',
      'aria-label': '3-D Secure test page',
      style: 'position:fixed;inset:10% 5% auto;background:#fff;color:#111;'
        + 'border:2px solid #111;padding:1em;z-index:9' });
    const yes = make('button', { type: 'button', 'data-testid': 'bank-confirm' },
      'Complete authentication');
    const no = make('button', { type: 'button', 'data-testid': 'bank-cancel' },
      'Fail authentication');
    yes.onclick = () => { box.remove(); done(true); };
    no.onclick = () => { box.remove(); done(false); };
    box.append(make('p', {}, '3-D Secure test page: authenticate this payment?'), yes, no);
    document.body.append(box);
    yes.focus();
  });
  window.Stripe = function (key) {
    return {
      elements() {
        return {
          create() {
            return {
              mount(box) {
                field = make('input', { 'data-testid': 'card-number', id: 'fake-stripe-card',
                  inputmode: 'numeric', autocomplete: 'off' });
                field.value = '4242 4242 4242 4242';
                const label = make('label', { for: 'fake-stripe-card' }, 'Card number (test) ');
                label.append(field);
                box.replaceChildren(label);
              },
              on() {},
            };
          },
          async submit() {
            if (chosen()) return {};
            return { error: { code: 'invalid_number', message: 'Your card number is invalid.' } };
          },
        };
      },
      async confirmPayment({ clientSecret }) {
        const id = clientSecret.split('_secret_')[0];
        const secret = { client_secret: clientSecret, key };
        let [ok, intent] = await post(`payment_intents/${id}/confirm`,
          { ...secret, payment_method: chosen() });
        if (!ok) return { error: intent.error };
        if (intent.status === 'requires_action') {
          const passed = await bankCheck();
          [ok, intent] = await post(`payment_intents/${id}/authenticate`,
            { ...secret, passed: String(passed) });
          if (!ok || intent.status === 'requires_payment_method') return { error: FAILED };
        }
        return { paymentIntent: intent };
      },
      async confirmSetup({ clientSecret }) {
        const id = clientSecret.split('_secret_')[0];
        const [ok, setup] = await post(`setup_intents/${id}/confirm`,
          { client_secret: clientSecret, key, payment_method: chosen() });
        return ok ? { setupIntent: setup } : { error: setup.error };
      },
    };
  };
})();
"""


def use_fake_stripe(context: Any, stripe_api: str) -> None:
    """In Playwright's browser ``context``: Stripe.js is `FAKE_STRIPE_JS`, and what it asks
    Stripe's API is answered by the stand-in at ``stripe_api`` (``http://127.0.0.1:…``)."""
    base = stripe_api.rstrip("/") + "/"

    def script(route: Any) -> None:
        route.fulfill(status=200, content_type="application/javascript", body=FAKE_STRIPE_JS)

    def api(route: Any) -> None:
        answer = route.fetch(url=base + route.request.url.removeprefix(STRIPE_API))
        headers = {**answer.headers, "access-control-allow-origin": "*"}
        route.fulfill(response=answer, headers=headers)

    context.route(STRIPE_JS + "**", script)
    context.route(STRIPE_API + "**", api)
