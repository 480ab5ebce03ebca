// @ts-check
/* The checkout's states, and what each API error code means to the guest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CHOOSING, holdOf, step } from '../../static/widget/checkout.js';
import { ApiError, codeOf, OfflineError, outcomeOf, PaymentError } from '../../static/widget/errors.js';

/** @typedef {import('../../static/widget/checkout.js').Checkout} Checkout */
/** @typedef {import('../../static/widget/checkout.js').CheckoutEvent} CheckoutEvent */

/** @param {string} room_type @returns {import('../../static/widget/api.js').Hold} */
const holdOn = (room_type) => ({ id: 'h1', token: 'secret', expires_at: '2026-06-01T12:10:00Z',
  quote: /** @type {any} */ ({ room_type, total: 30000, due_now: 30000, currency: 'EUR' }) });

/** @param {Checkout} state @param {CheckoutEvent[]} events */
const run = (state, events) => events.reduce(step, state);

test('a guest goes from choosing a room to a booking', () => {
  const hold = holdOn('double');
  const booking = { reference: 'ABC123' };
  const booked = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold },
    { type: 'pay' }, { type: 'extended', expires_at: '2026-06-01T12:30:00Z' }, { type: 'paid', booking }]);
  assert.equal(booked.phase, 'booked');
  assert.ok(booked.phase === 'booked' && booked.booking === booking);
  assert.equal(booked.phase === 'booked' && booked.hold.expires_at, '2026-06-01T12:30:00Z');
  assert.equal(holdOf(booked), null); // nothing left to release when the page closes
});

test('a second click while a hold is being taken does nothing', () => {
  const holding = step(CHOOSING, { type: 'choose', room_type: 'double' });
  assert.equal(step(holding, { type: 'choose', room_type: 'suite' }), holding);
  assert.equal(step(holding, { type: 'pay' }), holding);
});

test('choosing another room moves on from the held one; the same room stays held', () => {
  const held = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold: holdOn('double') }]);
  assert.equal(step(held, { type: 'choose', room_type: 'double' }), held);
  assert.deepEqual(step(held, { type: 'choose', room_type: 'suite' }), { phase: 'holding', room_type: 'suite' });
});

test('the same room under another plan or with other extras (another quote) is held again', () => {
  const hold = holdOn('double');
  hold.quote.quote_hash = 'flexible';
  const held = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold }]);
  assert.equal(step(held, { type: 'choose', room_type: 'double', quote_hash: 'flexible' }), held);
  assert.deepEqual(step(held, { type: 'choose', room_type: 'double', quote_hash: 'non-refundable' }),
    { phase: 'holding', room_type: 'double' });
});

test('a hold that runs out ends the checkout, but not while the payment is under way', () => {
  const held = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold: holdOn('double') }]);
  assert.equal(step(held, { type: 'expired' }), CHOOSING);
  const paying = step(held, { type: 'pay' });
  assert.equal(step(paying, { type: 'expired' }), paying);
  assert.equal(step(paying, { type: 'lost' }), CHOOSING);
});

test('a refused payment gives the hold back to the guest; a refused hold goes back to choosing', () => {
  const hold = holdOn('double');
  const paying = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold }, { type: 'pay' }]);
  assert.deepEqual(step(paying, { type: 'failed' }), { phase: 'held', hold });
  assert.equal(step(step(CHOOSING, { type: 'choose', room_type: 'double' }), { type: 'refused' }), CHOOSING);
});

test('a new stay or party resets everything but a booking', () => {
  const held = run(CHOOSING, [{ type: 'choose', room_type: 'double' }, { type: 'held', hold: holdOn('double') }]);
  assert.equal(step(held, { type: 'reset' }), CHOOSING);
  // A hold answered after the stay changed is not the guest's: it must not be taken up.
  const late = step(step(held, { type: 'choose', room_type: 'suite' }), { type: 'reset' });
  assert.equal(step(late, { type: 'held', hold: holdOn('suite') }), late);
  const booked = run(held, [{ type: 'pay' }, { type: 'paid', booking: { reference: 'R' } }]);
  assert.equal(step(booked, { type: 'reset' }), booked);
});

test('the API\'s error codes map to outcomes in one place', () => {
  const error = (/** @type {number} */ status, /** @type {string} */ code, body = {}) =>
    new ApiError(status, code, 'm', body);
  assert.equal(outcomeOf(error(409, 'taken')), 'taken');
  assert.equal(outcomeOf(error(409, 'room_taken')), 'taken');
  assert.equal(outcomeOf(error(409, 'hold_expired')), 'hold_gone');
  assert.equal(outcomeOf(error(409, 'hold_lost')), 'hold_gone');
  assert.equal(outcomeOf(error(404, 'not_found'), true), 'hold_gone');
  assert.equal(outcomeOf(error(404, 'not_found')), 'failed'); // a property, not a hold
  assert.equal(outcomeOf(error(409, 'price_changed', { quote: {} })), 'price_changed');
  assert.equal(outcomeOf(error(409, 'price_changed')), 'failed');
  assert.equal(outcomeOf(error(422, 'invalid')), 'failed');
  assert.equal(outcomeOf(new OfflineError('offline')), 'failed');
  assert.equal(outcomeOf(new Error('boom')), 'failed');
  // What the host page hears: one code per outcome, the API's own code otherwise.
  assert.equal(codeOf(error(409, 'room_taken')), 'taken');
  assert.equal(codeOf(error(409, 'hold_lost')), 'hold_expired');
  assert.equal(codeOf(error(429, 'too_many_requests')), 'too_many_requests');
  assert.equal(codeOf(new OfflineError('x')), 'offline');
  assert.equal(codeOf(new PaymentError('declined')), 'payment');
  assert.ok(new PaymentError('declined') instanceof Error);
});
