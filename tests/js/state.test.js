// @ts-check
/* The guest's choices at the start of a page, and the host page's one command. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openCommandIn } from '../../static/widget/host.js';
import { ageMissing, clamp, initialChoices } from '../../static/widget/state.js';

test('a saved stay in the past is dropped; the party fits the rooms', () => {
  const c = initialChoices({ adults: 9, checkIn: '2026-05-30', checkOut: '2026-06-02' },
    { adults: null, children: [] }, 4, '2026-06-01');
  assert.equal(c.adults, 4);
  assert.equal(c.checkIn, null);
  assert.equal(c.month, '2026-06-01');
  const fresh = initialChoices({}, { adults: null, children: [7] }, 4, '2026-06-15');
  assert.equal(fresh.adults, 2);
  assert.deepEqual(fresh.children, [7]);
  assert.equal(fresh.focus, '2026-06-15');
  assert.equal(ageMissing({ ...fresh, children: [7, null] }), 1);
  assert.equal(clamp('x', 1, 4), 1);
});

test('only a well formed open command from the host is taken, and only its known fields', () => {
  assert.equal(openCommandIn({ innkeep: 1, type: 'close', detail: {} }), null);
  assert.equal(openCommandIn({ innkeep: 2, type: 'open', detail: {} }), null);
  assert.equal(openCommandIn('open'), null);
  assert.deepEqual(openCommandIn({ innkeep: 1, type: 'open',
    detail: { check_in: '2026-07-01', check_out: '2026-06-30', evil: '<script>', adults: 2 } }),
  { adults: 2, check_in: '2026-07-01' });
  assert.deepEqual(openCommandIn({ innkeep: 1, type: 'open',
    detail: { check_in: '2026-02-30', children: [4] } }), { children: [4] });
});

test('the widget\'s e-mail pre-check is loose: the server\'s rule decides', async () => {
  // checkout-view.js builds DOM only when called: importing it in Node is safe.
  const { looksLikeEmail } = await import('../../static/widget/checkout-view.js');
  assert.ok(looksLikeEmail(' ada@localhost '));
  assert.ok(looksLikeEmail('ada@example.com'));
  assert.ok(!looksLikeEmail('ada'));
  assert.ok(!looksLikeEmail('ada@'));
  assert.ok(!looksLikeEmail('a da@example.com'));
});
