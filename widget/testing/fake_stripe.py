"""A fake Stripe.js for journeys against a deployment whose Stripe API is a local stand-in
(this project's CI: ``tests/payments/stripe_standin.py``), never Stripe itself.

`use_fake_stripe` makes a browser context load `FAKE_STRIPE_JS` for Stripe.js, serve the
frames it mounts, and send the calls it makes to Stripe's API to the stand-in. The fake
mirrors the frame structure of Stripe.js v3's Payment Element, so the page object types
into it exactly as into Stripe's own (`widget.testing.booking_widget`, ``pay``):

- ``elements.create('payment').mount(box)`` puts ``div.__PrivateStripeElement`` in ``box``
  holding ``iframe[name^=__privateStripeFrame][title="Secure payment input frame"]``, a
  cross-origin frame at ``https://js.stripe.com/v3/…`` whose inputs are named as Stripe's
  (``number``, ``expiry``, ``cvc``, ``country``, ``postalCode``, shown for US, GB and CA);
  the widget's page never sees the card, it asks the frame by ``postMessage``;
- ``elements.submit()`` checks the fields as Stripe does (incomplete, invalid, past expiry);
- ``confirmPayment``/``confirmSetup`` confirm the intent with that test card as Stripe.js
  does (``POST /v1/payment_intents/{id}/confirm``, the client secret as credential); where
  the card asks for authentication, Stripe's test 3-D Secure challenge opens as Stripe's
  does: a modal ``__privateStripeFrame`` holding ``iframe#challengeFrame``
  (``name=stripe-challenge-frame``, at ``https://hooks.stripe.com/``) with the buttons
  ``#test-source-authorize-3ds`` ("Complete") and ``#test-source-fail-3ds`` ("Fail"); the
  answer goes to the stand-in.

What the widget asked of Stripe.js is kept in ``window.fakeStripeCalls`` (the e2e suite
checks it). Against Stripe's real test mode none of this is used: the same page-object
code types into Stripe's own frames (docs/qa.md, Test cards).
"""

from __future__ import annotations

from typing import Any

STRIPE_JS = "https://js.stripe.com/"
STRIPE_API = "https://api.stripe.com/"
STRIPE_HOOKS = "https://hooks.stripe.com/"
#: Where the fake's frames live (the names are the fake's; the hosts are Stripe's).
INPUT_FRAME = STRIPE_JS + "v3/elements-inner-payment-fake.html"
CHALLENGE_FRAME = STRIPE_JS + "v3/three-ds-2-challenge-fake.html"
ACS_PAGE = STRIPE_HOOKS + "3d_secure_2/hosted/fake"

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
  const calls = window.fakeStripeCalls = [];
  let frames = 0;
  let input = null;  // the Payment Element's frame
  let ready = null;  // resolves once that frame listens
  const asked = new Map();
  const make = (tag, attrs) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  };
  window.addEventListener('message', (e) => {
    const data = e.data;
    if (!data || typeof data !== 'object' || !data.fakeStripe) return;
    if (input && e.source === input.frame.contentWindow) {
      if (data.fakeStripe === 'ready') input.ready();
      if (data.fakeStripe === 'card' && asked.has(data.ask)) asked.get(data.ask)(data);
    } else if (data.fakeStripe === 'challenge' && e.origin === 'https://hooks.stripe.com') {
      window.dispatchEvent(new CustomEvent('fake-stripe-challenge', { detail: !!data.passed }));
    }
  });
  // What the guest typed, asked of the frame (the card never lives in this page).
  async function collect() {
    if (!input) return null;
    await input.loaded;
    const ask = Math.random();
    const answer = new Promise((done) => asked.set(ask, done));
    input.frame.contentWindow.postMessage({ fakeStripe: 'collect', ask }, 'https://js.stripe.com');
    const card = await answer;
    asked.delete(ask);
    return card;
  }
  // Stripe's own words for a form it will not submit.
  function problem(card) {
    const digits = (s) => (s || '').replace(/\D/g, '');
    const number = digits(card.number);
    if (number.length < 16) return 'Your card number is incomplete.';
    if (!CARDS[number]) return 'Your card number is invalid.';
    const expiry = digits(card.expiry);
    if (expiry.length !== 4) return "Your card's expiration date is incomplete.";
    const month = Number(expiry.slice(0, 2));
    const year = 2000 + Number(expiry.slice(2));
    const now = new Date();
    if (month < 1 || month > 12) return "Your card's expiration date is invalid.";
    if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1))
      return "Your card's expiration year is in the past.";
    if (digits(card.cvc).length < 3) return "Your card's security code is incomplete.";
    if (card.postalShown && !(card.postalCode || '').trim())
      return 'Your postal code is incomplete.';
    return null;
  }
  async function paymentMethod() {
    const card = await collect();
    if (!card) return [null, { code: 'incomplete', message: 'Your card number is incomplete.' }];
    const wrong = problem(card);
    if (wrong) return [null, { code: 'incomplete', message: wrong }];
    return [CARDS[card.number.replace(/\D/g, '')], null];
  }
  async function post(path, params) {
    const answer = await fetch('https://api.stripe.com/v1/' + path, { method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params) });
    return [answer.ok, await answer.json()];
  }
  // Stripe's 3-D Secure test challenge: a modal Stripe frame over the page.
  const challenge = () => new Promise((done) => {
    const modal = make('div', { style: 'position:fixed;inset:0;z-index:2147483647;'
      + 'background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center' });
    frames += 1;
    const frame = make('iframe', { name: '__privateStripeFrame' + (5000 + frames),
      src: 'CHALLENGE_FRAME', allowtransparency: 'true', frameborder: '0',
      style: 'width:min(500px,100%);height:min(600px,100%);border:0;background:#fff' });
    modal.append(frame);
    document.body.append(modal);
    window.addEventListener('fake-stripe-challenge', (e) => { modal.remove(); done(e.detail); },
      { once: true });
  });
  window.Stripe = function (key, options) {
    calls.push(['Stripe', key, (options || {}).locale]);
    return {
      elements(settings) {
        calls.push(['elements', settings.mode, settings.amount, settings.currency,
          settings.captureMethod]);
        return {
          create(kind) {
            calls.push(['create', kind]);
            return {
              mount(box) {
                calls.push(['mount']);
                frames += 1;
                const holder = make('div', { class: '__PrivateStripeElement',
                  style: 'margin:0;padding:0;border:0;display:block' });
                const frame = make('iframe', { name: '__privateStripeFrame' + (5000 + frames),
                  title: 'Secure payment input frame', src: 'INPUT_FRAME',
                  allow: 'payment *', allowtransparency: 'true', frameborder: '0',
                  scrolling: 'no', style: 'width:100%;height:230px;border:0;display:block' });
                let loaded = () => {};
                input = { frame, ready: () => loaded(),
                  loaded: new Promise((ok) => { loaded = ok; }) };
                holder.append(frame);
                box.replaceChildren(holder);
              },
              on() {},
            };
          },
          async submit() {
            calls.push(['submit']);
            const [, error] = await paymentMethod();
            return error ? { error } : {};
          },
        };
      },
      async confirmPayment({ clientSecret, redirect }) {
        calls.push(['confirmPayment', redirect]);
        const [card, error] = await paymentMethod();
        if (error) return { error };
        const id = clientSecret.split('_secret_')[0];
        const secret = { client_secret: clientSecret, key };
        let [ok, intent] = await post(`payment_intents/${id}/confirm`,
          { ...secret, payment_method: card });
        if (!ok) return { error: intent.error };
        if (intent.status === 'requires_action') {
          const passed = await challenge();
          [ok, intent] = await post(`payment_intents/${id}/authenticate`,
            { ...secret, passed: String(passed) });
          if (!ok || intent.status === 'requires_payment_method') return { error: FAILED };
        }
        return { paymentIntent: intent };
      },
      async confirmSetup({ clientSecret, redirect }) {
        calls.push(['confirmSetup', redirect]);
        const [card, error] = await paymentMethod();
        if (error) return { error };
        const id = clientSecret.split('_secret_')[0];
        const [ok, setup] = await post(`setup_intents/${id}/confirm`,
          { client_secret: clientSecret, key, payment_method: card });
        return ok ? { setupIntent: setup } : { error: setup.error };
      },
    };
  };
})();
""".replace("CHALLENGE_FRAME", CHALLENGE_FRAME).replace("INPUT_FRAME", INPUT_FRAME)

#: The Payment Element's card form, as Stripe names its inputs; only ``postMessage`` leaves.
INPUT_FRAME_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Secure payment input frame</title>
<style>
  body { font: 15px system-ui, sans-serif; margin: 0; padding: 2px; color: #30313d; }
  label { display: block; margin: 0 0 6px; }
  input, select { display: block; width: 100%; box-sizing: border-box; font: inherit;
    padding: 6px; border: 1px solid #767676; border-radius: 4px; background: #fff; }
  .row { display: flex; gap: 8px; } .row label { flex: 1; }
</style></head>
<body><form novalidate>
  <label for="Field-numberInput">Card number
    <input id="Field-numberInput" name="number" type="text" inputmode="numeric"
      autocomplete="cc-number" placeholder="1234 1234 1234 1234"></label>
  <div class="row">
    <label for="Field-expiryInput">Expiration date
      <input id="Field-expiryInput" name="expiry" type="text" inputmode="numeric"
        autocomplete="cc-exp" placeholder="MM / YY"></label>
    <label for="Field-cvcInput">Security code
      <input id="Field-cvcInput" name="cvc" type="text" inputmode="numeric"
        autocomplete="cc-csc" placeholder="CVC"></label>
  </div>
  <div class="row">
    <label for="Field-countryInput">Country
      <select id="Field-countryInput" name="country" autocomplete="billing country">
        <option value="US">United States</option><option value="GB">United Kingdom</option>
        <option value="CA">Canada</option><option value="IT">Italy</option>
        <option value="DE">Germany</option><option value="FR">France</option>
      </select></label>
    <label for="Field-postalCodeInput" id="postal">ZIP code
      <input id="Field-postalCodeInput" name="postalCode" type="text"
        autocomplete="billing postal-code"></label>
  </div>
</form>
<script>
  const form = document.forms[0];
  const postal = document.getElementById('postal');
  const shown = () => ['US', 'GB', 'CA'].includes(form.country.value);
  const place = () => { postal.hidden = !shown(); };
  form.country.addEventListener('change', place);
  place();
  addEventListener('message', (e) => {
    if (e.source !== parent || !e.data || e.data.fakeStripe !== 'collect') return;
    parent.postMessage({ fakeStripe: 'card', ask: e.data.ask, number: form.number.value,
      expiry: form.expiry.value, cvc: form.cvc.value, country: form.country.value,
      postalCode: form.postalCode.value, postalShown: shown() }, '*');
  });
  parent.postMessage({ fakeStripe: 'ready' }, '*');
</script></body></html>
"""

#: The modal frame of Stripe's 3-D Secure challenge: the bank's page in ``challengeFrame``.
CHALLENGE_FRAME_HTML = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3D Secure</title>
<style>body {{ margin: 0; }} iframe {{ width: 100%; height: 100vh; border: 0; }}</style>
</head><body>
<iframe id="challengeFrame" name="stripe-challenge-frame" src="{ACS_PAGE}"></iframe>
</body></html>
"""

#: Stripe's test 3-D Secure page: complete or fail the authentication.
ACS_PAGE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>3D Secure 2 Test Page</title>
<style>body { font: 15px system-ui, sans-serif; padding: 1em; color: #111; background: #fff; }
  button { font: inherit; padding: .5em 1em; margin-right: .5em; }</style></head>
<body>
<h1>3D Secure 2 Test Page</h1>
<p>This is a test page for authenticating a payment with 3D Secure 2.</p>
<button id="test-source-authorize-3ds" type="button">Complete</button>
<button id="test-source-fail-3ds" type="button">Fail</button>
<script>
  const answer = (passed) => parent.parent.postMessage({ fakeStripe: 'challenge', passed }, '*');
  document.getElementById('test-source-authorize-3ds').onclick = () => answer(true);
  document.getElementById('test-source-fail-3ds').onclick = () => answer(false);
</script></body></html>
"""


def use_fake_stripe(context: Any, stripe_api: str) -> None:
    """In Playwright's browser ``context``: Stripe.js is `FAKE_STRIPE_JS` (its frames served
    from Stripe's hosts), and what it asks Stripe's API is answered by the stand-in at
    ``stripe_api`` (``http://127.0.0.1:…``)."""
    base = stripe_api.rstrip("/") + "/"
    pages = {INPUT_FRAME: INPUT_FRAME_HTML, CHALLENGE_FRAME: CHALLENGE_FRAME_HTML}

    def script(route: Any) -> None:
        url = route.request.url.split("#")[0].split("?")[0]
        if url in pages:
            route.fulfill(status=200, content_type="text/html", body=pages[url])
        else:
            route.fulfill(status=200, content_type="application/javascript", body=FAKE_STRIPE_JS)

    def hooks(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body=ACS_PAGE_HTML)

    def api(route: Any) -> None:
        answer = route.fetch(url=base + route.request.url.removeprefix(STRIPE_API))
        headers = {**answer.headers, "access-control-allow-origin": "*"}
        route.fulfill(response=answer, headers=headers)

    context.route(STRIPE_JS + "**", script)
    context.route(STRIPE_HOOKS + "**", hooks)
    context.route(STRIPE_API + "**", api)
