// @ts-check
/* What can go wrong, as Error subclasses, and the one place that says what each of the
 * API's error codes means to the guest. The codes themselves are the public API's. */

/** The service answered with an error: `{"error": code, "message", "field"}` and more. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message
   * @param {Record<string, unknown>} [body] the whole answer (a `price_changed` carries the new quote) */
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body || {};
  }
}

/** The service could not be reached (after one retry), or a script from it did not load. */
export class OfflineError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'OfflineError';
    this.code = 'offline';
  }
}

/** The payment form refused (a declined card, a failed 3-D Secure step). */
export class PaymentError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
    this.code = 'payment';
  }
}

/** What the widget does about an error:
 * - `taken`: the room went to another guest; offer what is still free;
 * - `hold_gone`: the hold ended (expired or lost); offer what is still free;
 * - `price_changed`: show the new price where the old one was;
 * - `failed`: say what went wrong where the guest is looking.
 * @typedef {'taken' | 'hold_gone' | 'price_changed' | 'failed'} Outcome */

/** @type {Record<string, Outcome>} */
const OUTCOMES = {
  taken: 'taken',
  room_taken: 'taken',
  hold_expired: 'hold_gone',
  hold_lost: 'hold_gone',
  price_changed: 'price_changed',
};

/** @param {unknown} error @param {boolean} [aboutHold] the request named a hold
 * @returns {Outcome} */
export function outcomeOf(error, aboutHold) {
  if (!(error instanceof ApiError)) return 'failed';
  const outcome = OUTCOMES[error.code];
  if (outcome === 'price_changed' && !error.body.quote) return 'failed';
  // A hold that no longer exists at all (cleaned up after it ran out) is gone too.
  if (!outcome && aboutHold && error.status === 404) return 'hold_gone';
  return outcome || 'failed';
}

/** The code the host page hears in `innkeep:error` for an error the guest is told of.
 * @param {unknown} error @param {boolean} [aboutHold] */
export function codeOf(error, aboutHold) {
  const outcome = outcomeOf(error, aboutHold);
  if (outcome === 'taken') return 'taken';
  if (outcome === 'hold_gone') return 'hold_expired';
  if (error instanceof ApiError || error instanceof OfflineError || error instanceof PaymentError) return error.code;
  return 'error';
}
