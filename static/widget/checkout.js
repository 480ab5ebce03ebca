// @ts-check
/* The checkout's states and the only moves between them. Pure: `step` answers the next
 * state, or the same object when the event does not apply (a second click on "Choose"
 * while a hold is being taken, an expiry while the payment is under way), so a caller
 * can tell "nothing to do" by identity. */

/** @typedef {import('./api.js').Hold} Hold */
/** @typedef {import('./api.js').Booking} Booking */

/** @typedef {{phase: 'choosing'}
 *   | {phase: 'holding', room_type: string}
 *   | {phase: 'held', hold: Hold}
 *   | {phase: 'paying', hold: Hold}
 *   | {phase: 'booked', hold: Hold, booking: Booking}} Checkout */

/** @typedef {{type: 'choose', room_type: string, quote_hash?: string}
 *   | {type: 'held', hold: Hold}
 *   | {type: 'refused'}
 *   | {type: 'pay'}
 *   | {type: 'extended', expires_at: string}
 *   | {type: 'failed'}
 *   | {type: 'paid', booking: Booking}
 *   | {type: 'expired'}
 *   | {type: 'lost'}
 *   | {type: 'reset'}} CheckoutEvent */

/** @type {Checkout} */
export const CHOOSING = Object.freeze({ phase: 'choosing' });

/** @param {Checkout} state @param {CheckoutEvent} event @returns {Checkout} */
export function step(state, event) {
  switch (event.type) {
    case 'choose':
      // Choosing another room, or the same one under another quote (plan, extras), lets the
      // held one go (the caller releases it); never two requests.
      if (state.phase === 'choosing') return { phase: 'holding', room_type: event.room_type };
      if (state.phase === 'held' && (state.hold.quote.room_type !== event.room_type
        || (event.quote_hash !== undefined && event.quote_hash !== state.hold.quote.quote_hash))) {
        return { phase: 'holding', room_type: event.room_type };
      }
      return state;
    case 'held':
      return state.phase === 'holding' ? { phase: 'held', hold: event.hold } : state;
    case 'refused':
      return state.phase === 'holding' ? CHOOSING : state;
    case 'pay':
      return state.phase === 'held' ? { phase: 'paying', hold: state.hold } : state;
    case 'extended': // the server gives a hold a grace period once payment starts
      return state.phase === 'paying'
        ? { phase: 'paying', hold: { ...state.hold, expires_at: event.expires_at } } : state;
    case 'failed': // the payment did not go through: the hold is still the guest's
      return state.phase === 'paying' ? { phase: 'held', hold: state.hold } : state;
    case 'paid':
      return state.phase === 'paying' ? { phase: 'booked', hold: state.hold, booking: event.booking } : state;
    case 'expired': // while paying, wait for the server's answer: it extended the hold
      return state.phase === 'held' ? CHOOSING : state;
    case 'lost': // taken by another guest, or gone on the server
      return state.phase === 'held' || state.phase === 'paying' ? CHOOSING : state;
    case 'reset': // the stay or the party changed
      return state.phase === 'booked' || state.phase === 'choosing' ? state : CHOOSING;
  }
}

/** The hold the guest has (and that leaving the page should release), if any.
 * @param {Checkout} state @returns {Hold | null} */
export const holdOf = (state) => (state.phase === 'held' || state.phase === 'paying' ? state.hold : null);
