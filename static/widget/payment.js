// @ts-check
/* The payment form: Stripe's Payment Element with the Stripe provider (Stripe.js loaded
 * only now, at the payment step); with the demo provider (test mode only: it is refused in
 * production) a test card named after Stripe's, and the demo bank's "confirm" step. */

import { el } from './dom.js';
import { OfflineError, PaymentError } from './errors.js';

/** The demo provider's test cards: Stripe's numbers, and the scenario each plays. */
export const TEST_CARDS = Object.freeze({
  '4242424242424242': 'success',
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient_funds',
  '4000002500003155': 'authentication_required',
});

/** The scenario of a test card number as typed (spaces and dashes allowed); null when it
 * is none of them. @param {string} number @returns {string | null} */
export function testCardOf(number) {
  const digits = number.replace(/[\s-]/g, '');
  return Object.prototype.hasOwnProperty.call(TEST_CARDS, digits)
    ? TEST_CARDS[/** @type {keyof typeof TEST_CARDS} */ (digits)] : null;
}

/** @param {string} digits */
const grouped = (digits) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

/** @typedef {import('./api.js').Quote} Quote */
/** The part of Stripe.js the widget uses.
 * @typedef {{error?: {message: string}}} StripeResult
 * @typedef {{mount: (box: HTMLElement) => void, on: (event: string, fn: () => void) => void}} StripeElement
 * @typedef {{create: (kind: string) => StripeElement, submit: () => Promise<StripeResult>}} StripeElements
 * @typedef {{elements: (options: object) => StripeElements,
 *   confirmPayment: (options: object) => Promise<StripeResult>,
 *   confirmSetup: (options: object) => Promise<StripeResult>}} StripeClient
 * @typedef {(key: string, options: object) => StripeClient} StripeJs */

/** @param {string} offline the sentence for a script that did not load
 * @returns {Promise<StripeJs>} */
function loadStripeJs(offline) {
  const loaded = /** @type {{Stripe?: StripeJs}} */ (/** @type {unknown} */ (window)).Stripe;
  if (loaded) return Promise.resolve(loaded);
  return new Promise((ok, fail) => {
    const script = document.createElement('script');
    script.src = 'https://js.stripe.com/v3/';
    script.onload = () => {
      const stripe = /** @type {{Stripe?: StripeJs}} */ (/** @type {unknown} */ (window)).Stripe;
      if (stripe) ok(stripe);
      else fail(new OfflineError(offline));
    };
    script.onerror = () => fail(new OfflineError(offline));
    document.head.append(script);
  });
}

/** @param {{provider: string, key: string | null, language: string, offline: string}} options */
export function createPayment({ provider, key, language, offline }) {
  /** @type {{client: StripeClient, elements: StripeElements, setup: boolean} | null} */
  let stripe = null;
  /** @type {HTMLInputElement | null} the demo's test card field, when shown */
  let demoCard = null;
  /** @type {{box: HTMLElement, t: (key: string) => string} | null} */
  let demo = null;

  return {
    usesStripe: provider === 'stripe',
    /** Nothing to collect: paid at the property, no card kept. */
    none() {
      stripe = null;
      demoCard = null;
    },
    /** The demo provider's form in `box`: that no money is taken, and a test card whose
     * number picks what the payment does (Stripe's numbers). @param {HTMLElement} box
     * @param {(key: string) => string} t */
    mountDemo(box, t) {
      demo = { box, t };
      demoCard = el('input', { id: 'card-number', type: 'text', 'data-testid': 'card-number', inputmode: 'numeric',
        autocomplete: 'off', list: 'test-cards', 'aria-describedby': 'test-card-note' });
      demoCard.value = grouped(Object.keys(TEST_CARDS)[0]);
      const choices = el('datalist', { id: 'test-cards' }, ...Object.entries(TEST_CARDS).map(([digits, scenario]) =>
        el('option', { value: grouped(digits), label: t('test_card_' + scenario) })));
      box.replaceChildren(el('p', { class: 'muted', id: 'test-card-note', text: t('demo_payment') }),
        el('label', { for: 'card-number', class: 'field' }, el('span', { text: t('test_card') }), demoCard),
        choices);
    },
    /** The demo's test card scenario to send with the checkout (none with Stripe). */
    testCard() {
      return demoCard ? testCardOf(demoCard.value) : null;
    },
    /** The demo bank asks the guest to confirm the payment: resolves once they confirmed
     * and `answer(true)` authorised it; throws a PaymentError when they cancelled (the
     * hold stays theirs: another card may pay). @param {(passed: boolean) => Promise<{status: string}>} answer */
    async bankCheck(answer) {
      if (!demo) throw new PaymentError(offline);
      const { box, t } = demo;
      const form = [...box.childNodes];
      /** @type {(passed: boolean) => void} */
      let decide = () => {};
      const decided = new Promise((ok) => { decide = ok; });
      const confirm = el('button', { type: 'button', class: 'primary', 'data-testid': 'bank-confirm',
        text: t('bank_confirm'), onclick: () => decide(true) });
      box.replaceChildren(el('div', { class: 'bank', role: 'group', 'aria-labelledby': 'bank-h', 'data-testid': 'bank-check' },
        el('p', { id: 'bank-h', text: t('bank_check') }), confirm,
        el('button', { type: 'button', 'data-testid': 'bank-cancel', text: t('bank_cancel'), onclick: () => decide(false) })));
      confirm.focus();
      const passed = await decided;
      box.replaceChildren(...form);
      const { status } = await answer(passed);
      if (!passed || status !== 'requires_capture') {
        demoCard?.focus();
        throw new PaymentError(t('bank_cancelled'));
      }
    },
    /** Shows the payment form for the held quote in `box`; with `guarantee` (paid at the
     * property) the form only saves the card (a SetupIntent), charging nothing.
     * @param {HTMLElement} box @param {Quote} quote @param {boolean} guarantee
     * @param {() => void} resized */
    async mount(box, quote, guarantee, resized) {
      stripe = null;
      const Stripe = await loadStripeJs(offline);
      const client = Stripe(key || '', { locale: language });
      if (guarantee) {
        const elements = client.elements({ mode: 'setup', currency: quote.currency.toLowerCase() });
        const element = elements.create('payment');
        box.replaceChildren();
        element.mount(box);
        element.on('change', resized);
        stripe = { client, elements, setup: true };
        return;
      }
      // Deferred intent: the PaymentIntent is created at checkout, for the held quote.
      // A deposit saves the card for the balance: the intent has setup_future_usage, and
      // the Payment Element must say the same.
      const later = (quote.payment_schedule || []).length > 1;
      const elements = client.elements({
        mode: 'payment', amount: quote.due_now, currency: quote.currency.toLowerCase(),
        captureMethod: 'manual', ...(later ? { setupFutureUsage: 'off_session' } : {}),
      });
      const element = elements.create('payment');
      box.replaceChildren();
      element.mount(box);
      element.on('change', resized);
      stripe = { client, elements, setup: false };
    },
    /** Validates the card form before the checkout is asked for. */
    async submit() {
      if (demoCard && demo && !testCardOf(demoCard.value)) {
        demoCard.setAttribute('aria-invalid', 'true');
        throw new PaymentError(demo.t('test_card_unknown'));
      }
      demoCard?.removeAttribute('aria-invalid');
      if (!stripe) return;
      const submitted = await stripe.elements.submit();
      if (submitted.error) throw new PaymentError(submitted.error.message);
    },
    /** Authorises the payment the checkout created. @param {string | undefined} clientSecret */
    async confirm(clientSecret) {
      if (!stripe) throw new PaymentError(offline);
      const options = { elements: stripe.elements, clientSecret,
        confirmParams: { return_url: location.href }, redirect: 'if_required' };
      const result = await (stripe.setup ? stripe.client.confirmSetup(options) : stripe.client.confirmPayment(options));
      if (result.error) throw new PaymentError(result.error.message);
    },
  };
}

/** @typedef {ReturnType<typeof createPayment>} Payment */
