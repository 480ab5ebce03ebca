// The demo provider's test cards: Stripe's numbers, typed as a guest types them.
import assert from 'node:assert/strict';
import test from 'node:test';

import { testCardOf } from '../../static/widget/payment.js';

test("Stripe's test card numbers name the demo's scenarios, however they are spaced", () => {
  assert.equal(testCardOf('4242 4242 4242 4242'), 'success');
  assert.equal(testCardOf('4000000000000002'), 'decline');
  assert.equal(testCardOf(' 4000-0000-0000-9995 '), 'insufficient_funds');
  assert.equal(testCardOf('4000 0025 0000 3155'), 'authentication_required');
});

test('any other number is no test card', () => {
  assert.equal(testCardOf('4242 4242 4242 4241'), null);
  assert.equal(testCardOf(''), null);
  assert.equal(testCardOf('constructor'), null);
});
