// @ts-check
/* The public API, same origin, as the widget calls it. Every answer that is not 2xx
 * becomes an ApiError carrying the API's own code; a connection that fails twice becomes
 * an OfflineError. */

import { ApiError, OfflineError } from './errors.js';

/** @typedef {{amount: number, currency: string}} Money the API's money object, minor units */
/** @typedef {{date: string, units_free: number, price: Money | null, min_stay: number,
 *   closed_to_arrival: boolean, closed_to_departure: boolean}} Night */
/** @typedef {{room_types: {slug: string, nights: Night[]}[]}} CalendarAnswer */
/** @typedef {{rule: string, stage: string, amount: number, note: string,
 *   notes?: Record<string, string>}} NightLine */
/** `notes`: the rule's words per language beside its English `note` (when it gives them).
 * @typedef {{rule: string, kind: string, amount: number, note: string, included: boolean,
 *   payable: string, notes?: Record<string, string>}} StayLine */
/** @typedef {{room_type: string, check_in: string, check_out: string, currency: string,
 *   total: number, due_now: number, quote_hash: string, pay_at_property?: boolean,
 *   rate_plan?: string | null, extras?: Record<string, number>,
 *   inputs?: Record<string, number | boolean>,
 *   payment_schedule?: {due: string, amount: number}[],
 *   nights: {date: string, amount: number, lines: NightLine[]}[], stay_lines: StayLine[]}} Quote */
/** A hold; of several rooms, with `quotes` (one a room) and the group's money.
 * @typedef {{id: string, token: string, expires_at: string, quote: Quote, quotes?: Quote[],
 *   total?: number, due_now?: number, payment_schedule?: {due: string, amount: number}[]}} Hold */

/**
 * What the quote has paid online in all (now and later, by its payment schedule); the rest
 * of its total is paid at the property.
 * @param {Quote} quote
 */
export function paidOnline(quote) {
  if (quote.pay_at_property) return 0;
  const schedule = quote.payment_schedule || [];
  return schedule.length ? schedule.reduce((sum, part) => sum + part.amount, 0) : quote.due_now;
}
/** @typedef {{provider: string, client_secret?: string, expires_at?: string}} CheckoutAnswer */
/** @typedef {{room_type: string, adults: number | null, children: number[], total: Money,
 *   rate_plan?: string | null, extras?: Record<string, number>, status?: string}} BookedRoom */
/** @typedef {{reference: string, manage_url?: string, rooms?: BookedRoom[]}} Booking */
/** @typedef {{room_type: string, check_in: string, check_out: string, adults: number,
 *   children: number[], rate_plan?: string | null, extras?: Record<string, number>,
 *   inputs?: Record<string, number | boolean>}} StayRequest */
/** @typedef {{name: string, email: string, phone: string | null, language: string,
 *   note: string | null}} GuestDetails */

const BASE = '/api/v1';

/** A random id: `crypto.randomUUID` where the page is a secure context, else the same
 * entropy from `getRandomValues`. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The widget's own session id: in sessionStorage and sent as a header, so no third-party
 * cookie is needed; a tab without storage keeps one for the page's life.
 * @param {Storage | null} storage */
export function sessionIdIn(storage) {
  try {
    if (!storage) throw new Error('no storage');
    let id = storage.getItem('innkeep:session');
    if (!id) storage.setItem('innkeep:session', (id = uuid()));
    return id;
  } catch {
    return uuid();
  }
}

/** The API for one widget page.
 * @param {{session: string, offline: string, fetch?: typeof fetch, retryMs?: number}} options
 *   `offline` is the sentence an OfflineError carries */
export function createApi({ session, offline, fetch: send = fetch.bind(globalThis), retryMs = 800 }) {
  let clockSkew = 0; // the server's clock minus ours, from its Date header

  /** @param {string} method @param {string} path @param {unknown} [body]
   * @param {Record<string, string>} [extra] @param {RequestCache} [cache] how the browser's
   *   cache may answer (`no-cache`: only after asking the server) @returns {Promise<any>} */
  async function call(method, path, body, extra, cache) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', 'X-Innkeep-Session': session, ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // The same key on a retry makes a repeated POST safe.
    if (method === 'POST' && !headers['Idempotency-Key']) headers['Idempotency-Key'] = uuid();
    /** @type {RequestInit} */
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    if (cache) init.cache = cache;
    let response;
    for (let attempt = 0; !response; attempt++) {
      try {
        response = await send(BASE + path, init);
      } catch {
        if (attempt >= 1) throw new OfflineError(offline);
        await new Promise((ok) => setTimeout(ok, retryMs)); // a flaky link: once more
      }
    }
    const date = Date.parse(response.headers.get('Date') || '');
    if (!isNaN(date)) clockSkew = date - Date.now();
    let data = null;
    try {
      data = await response.json();
    } catch { /* an empty body */ }
    if (!response.ok) {
      const answer = data && typeof data === 'object' ? data : {};
      throw new ApiError(response.status, String(answer.error || 'error'),
        String(answer.message || response.statusText), answer);
    }
    return data;
  }

  /** @param {Hold} hold */
  const holdHeaders = (hold) => ({ 'X-Hold-Token': hold.token });

  return {
    /** The server's clock, for the hold's countdown. */
    now: () => Date.now() + clockSkew,
    /** Calendar answers may be cached for a few seconds (by the browser, a CDN); after
     * availability changed under the guest, `revalidate` asks the server whether the
     * browser's copy is still current.
     * @param {string} slug @param {URLSearchParams} params @param {boolean} [revalidate]
     * @returns {Promise<CalendarAnswer>} */
    calendar: (slug, params, revalidate = false) => call('GET',
      `/properties/${slug}/calendar?${params}`, undefined, undefined,
      revalidate ? 'no-cache' : undefined),
    /** @param {string} slug @param {StayRequest} stay @returns {Promise<Quote>} */
    quote: (slug, stay) => call('POST', `/properties/${slug}/quotes`, stay),
    /** The stay under every plan that sells the room type, in the owner's order.
     * @param {string} slug @param {StayRequest} stay @returns {Promise<{quotes: Quote[]}>} */
    plans: (slug, stay) => call('POST', `/properties/${slug}/quotes/all-plans`, stay),
    /** One room (`room_type`, its party, `quote_hash`), or several (`rooms`).
     * @param {string} slug @param {(StayRequest & {quote_hash: string}) | {check_in: string,
     *   check_out: string, rooms: import('./group.js').GroupRoom[]}} stay @returns {Promise<Hold>} */
    hold: (slug, stay) => call('POST', `/properties/${slug}/holds`, stay),
    /** @param {Hold} hold */
    release: (hold) => call('DELETE', `/holds/${hold.id}`, undefined, holdHeaders(hold)),
    /** A beacon cannot set headers, so the token travels in the body of the one endpoint
     * that accepts it there. @param {Hold} hold */
    releaseOnLeaving: (hold) => navigator.sendBeacon(`${BASE}/holds/${hold.id}/release`,
      new Blob([JSON.stringify({ token: hold.token })], { type: 'text/plain' })),
    /** @param {Hold} hold @param {GuestDetails} guest
     * @param {string | null} [testCard] the demo provider's test card scenario
     * @returns {Promise<CheckoutAnswer & {status?: string}>} the demo's `status` may ask
     *   for its bank's check (`requires_action`) */
    checkout: (hold, guest, testCard) => call('POST', `/holds/${hold.id}/checkout`,
      { guest, accept_cancellation_policy: true, ...(testCard ? { test_card: testCard } : {}) }, holdHeaders(hold)),
    /** The guest's answer to the demo bank's check. @param {Hold} hold @param {boolean} passed
     * @returns {Promise<{status: string}>} */
    bankCheck: (hold, passed) => call('POST', `/holds/${hold.id}/demo-bank`, { passed }, holdHeaders(hold)),
    /** @param {Hold} hold @returns {Promise<Booking>} */
    confirm: (hold) => call('POST', `/holds/${hold.id}/confirm`, {}, holdHeaders(hold)),
  };
}

/** @typedef {ReturnType<typeof createApi>} Api */
