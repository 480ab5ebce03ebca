// @ts-check
/* The payment form: Stripe's Payment Element with the Stripe provider (Stripe.js loaded
 * only now, at the payment step), nothing to fill with the demo provider. */

import { OfflineError, PaymentError } from './errors.js';

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

  return {
    usesStripe: provider === 'stripe',
    /** Nothing to collect: paid at the property, no card kept. */
    none() {
      stripe = null;
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
