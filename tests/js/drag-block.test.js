// @ts-check
/* Drag to block on the console's tape chart: which nights a drag covers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { span } from '../../static/console/drag-block.js';

// A row: three free nights, a booking (one cell, two nights), two free nights.
const row = ['2027-06-01', '2027-06-02', '2027-06-03', null, '2027-06-06', '2027-06-07'];

test('a drag covers the free nights from where it started to where it is', () => {
  assert.deepEqual(span(row, 0, 2), { first: '2027-06-01', last: '2027-06-03', cells: [0, 1, 2] });
  assert.deepEqual(span(row, 5, 4), { first: '2027-06-06', last: '2027-06-07', cells: [4, 5] });
  assert.deepEqual(span(row, 1, 1), { first: '2027-06-02', last: '2027-06-02', cells: [1] });
});

test('a drag stops before a night that is taken, either way', () => {
  assert.deepEqual(span(row, 1, 5), { first: '2027-06-02', last: '2027-06-03', cells: [1, 2] });
  assert.deepEqual(span(row, 4, 0), { first: '2027-06-06', last: '2027-06-06', cells: [4] });
});

test('a drag that starts on a taken cell covers nothing', () => {
  assert.equal(span(row, 3, 5), null);
});
