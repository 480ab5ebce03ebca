// @ts-check
/* The calendar model: which room types can take a stay, what each day offers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { arrivalOn, createCalendar, dayState, roomsOf, stayCheck } from '../../static/widget/calendar.js';
import { addDays } from '../../static/widget/dates.js';

/** @typedef {import('../../static/widget/api.js').Night} Night */

/** A night of a room type: free, €100, no restrictions, unless told.
 * @param {string} date @param {Partial<Night>} [changes] @returns {Night} */
const night = (date, changes) => ({ date, units_free: 1, price: { amount: 10000, currency: 'EUR' },
  min_stay: 1, closed_to_arrival: false, closed_to_departure: false, ...changes });

/** The calendar answer for two room types from `start` over `days` days, with changes by date.
 * @param {string} start @param {number} days
 * @param {Record<string, Record<string, Partial<Night>>>} [changes] room type → date → changes */
function answer(start, days, changes = {}) {
  return {
    room_types: ['double', 'suite'].map((slug) => ({
      slug,
      nights: Array.from({ length: days }, (_, i) => addDays(start, i))
        .map((date) => night(date, changes[slug]?.[date])),
    })),
  };
}

/** A nightsOn over the answer, as the model reads loaded months.
 * @param {ReturnType<typeof answer>} a */
function nightsOnOf(a) {
  const rooms = roomsOf(a, null);
  return (/** @type {string} */ date) => Object.entries(rooms).flatMap(([slug, nights]) =>
    nights[date] ? [/** @type {[string, Night]} */ ([slug, nights[date]])] : []);
}

test('a stay across the end of a month needs both months', () => {
  const nightsOn = nightsOnOf(answer('2026-01-25', 14));
  assert.deepEqual(stayCheck(nightsOn, '2026-01-30', '2026-02-03').rooms, ['double', 'suite']);
  const firstMonthOnly = nightsOnOf(answer('2026-01-25', 7)); // to 31 January
  assert.deepEqual(stayCheck(firstMonthOnly, '2026-01-30', '2026-02-03'),
    { rooms: [], reason: { key: 'not_free', check_in: '2026-01-30', check_out: '2026-02-03' } });
});

test('a stay over the spring clock change counts its nights', () => {
  const nightsOn = nightsOnOf(answer('2026-03-27', 5, { double: { '2026-03-28': { min_stay: 2 } } }));
  // Two nights, the 28th and the 29th (the short night): enough for the minimum stay.
  assert.deepEqual(stayCheck(nightsOn, '2026-03-28', '2026-03-30').rooms, ['double', 'suite']);
  assert.deepEqual(stayCheck(nightsOn, '2026-03-28', '2026-03-29'),
    { rooms: ['suite'], reason: { key: 'min_stay', date: '2026-03-28', nights: 2 } });
});

test('a room sold on one night of the stay cannot take it; the departure day is not a night', () => {
  const nightsOn = nightsOnOf(answer('2026-06-01', 10, {
    double: { '2026-06-04': { units_free: 0 } },
    suite: { '2026-06-05': { closed_to_departure: true } },
  }));
  assert.deepEqual(stayCheck(nightsOn, '2026-06-02', '2026-06-04').rooms, ['double', 'suite']);
  const check = stayCheck(nightsOn, '2026-06-02', '2026-06-05');
  assert.deepEqual(check.rooms, []);
  assert.equal(check.reason?.key, 'not_free');
});

test('a day says what it offers as an arrival, cheapest price first', () => {
  const nightsOn = nightsOnOf(answer('2026-06-01', 5, {
    double: { '2026-06-02': { price: { amount: 8000, currency: 'EUR' } }, '2026-06-03': { units_free: 0 } },
    suite: { '2026-06-03': { closed_to_arrival: true } },
  }));
  assert.deepEqual(arrivalOn(nightsOn, '2026-06-02', '2026-06-01'),
    { loading: false, past: false, soldOut: false, noArrival: false, price: { amount: 8000, currency: 'EUR' } });
  assert.equal(dayState(nightsOn, '2026-06-03', '2026-06-01', null, null).label, 'no_arrival');
  assert.equal(dayState(nightsOn, '2026-06-01', '2026-06-02', null, null).label, 'past');
  assert.equal(dayState(nightsOn, '2026-06-01', '2026-06-02', null, null).enabled, false);
  assert.deepEqual(arrivalOn(() => null, '2026-07-01', '2026-06-01'), { loading: true });
});

test('while a departure is picked, later days say whether the stay could end there', () => {
  const nightsOn = nightsOnOf(answer('2026-06-01', 10, {
    double: { '2026-06-04': { units_free: 0 } }, suite: { '2026-06-04': { units_free: 0 } },
  }));
  assert.equal(dayState(nightsOn, '2026-06-04', '2026-06-01', '2026-06-02', null).departure, true);
  assert.equal(dayState(nightsOn, '2026-06-05', '2026-06-01', '2026-06-02', null).departure, false);
  assert.equal(dayState(nightsOn, '2026-06-04', '2026-06-01', '2026-06-02', null).label, 'sold_out');
});

test('a month is asked for once per party, and again after a failure or when forgotten', async () => {
  /** @type {string[]} */
  const asked = [];
  let fail = true;
  const calendar = createCalendar(async (month, party) => {
    asked.push(month + ' ' + party.adults);
    if (fail) throw new Error('offline');
    return roomsOf(answer(month, 3), null);
  });
  const two = { adults: 2, children: [] };
  await assert.rejects(calendar.month('2026-06-01', two));
  fail = false;
  await Promise.all([calendar.month('2026-06-01', two), calendar.month('2026-06-01', two)]);
  assert.equal(calendar.nightsOn('2026-06-02', two)?.length, 2);
  assert.equal(calendar.nightsOn('2026-06-02', { adults: 1, children: [] }), null);
  await calendar.month('2026-06-01', { adults: 1, children: [] });
  calendar.forget();
  assert.equal(calendar.nightsOn('2026-06-02', two), null);
  assert.deepEqual(asked, ['2026-06-01 2', '2026-06-01 2', '2026-06-01 1']);
});

test('after availability changed under the guest, months are asked for past any cache', async () => {
  /** @type {boolean[]} */
  const revalidated = [];
  const calendar = createCalendar(async (month, _party, revalidate) => {
    revalidated.push(revalidate);
    return roomsOf(answer(month, 3), null);
  });
  const two = { adults: 2, children: [] };
  await calendar.month('2026-06-01', two);
  calendar.forget();
  await calendar.month('2026-06-01', two);
  await calendar.month('2026-07-01', two);
  assert.deepEqual(revalidated, [false, true, true]);
});

test('months the page carried are drawn without asking, for their party only, until forgotten', async () => {
  /** @type {string[]} */
  const asked = [];
  const calendar = createCalendar(async (month, party) => {
    asked.push(month + ' ' + party.adults + '|' + party.children.join(','));
    return roomsOf(answer(month, 3), null);
  });
  const family = { adults: 2, children: [4] };
  calendar.seed('2026-06-01', family, roomsOf(answer('2026-06-01', 3), null));
  await calendar.month('2026-06-01', { adults: 2, children: [4] });
  assert.equal(calendar.nightsOn('2026-06-02', family)?.length, 2);
  assert.deepEqual(asked, [], 'the carried month is not asked for');
  await calendar.month('2026-06-01', { adults: 2, children: [] });
  assert.deepEqual(asked, ['2026-06-01 2|'], 'another party asks');
  calendar.forget();
  await calendar.month('2026-06-01', family);
  assert.deepEqual(asked, ['2026-06-01 2|', '2026-06-01 2|4'], 'after a change, it is asked for again');
});
