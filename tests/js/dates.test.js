// @ts-check
/* Calendar arithmetic across months, years and daylight-saving changes. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { addDays, addMonths, gridMove, isDate, monthLength, nightsBetween, nightsOf, weekday, weeksOf } from '../../static/widget/dates.js';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

// Europe's clocks change on the last Sundays of March and October, America's on other days.
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'UTC'];

test('days add up across months, years and leap days', () => {
  assert.equal(addDays('2026-01-31', 1), '2026-02-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(monthLength('2028-02-10'), 29);
  assert.equal(monthLength('2026-02-10'), 28);
});

test('months move from the first of the month, whatever the day', () => {
  assert.equal(addMonths('2026-01-31', 1), '2026-02-01');
  assert.equal(addMonths('2026-12-15', 1), '2027-01-01');
  assert.equal(addMonths('2026-01-15', -1), '2025-12-01');
});

test('a stay over a clock change has its true number of nights in every zone', () => {
  for (const tz of ZONES) {
    process.env.TZ = tz;
    assert.equal(nightsBetween('2026-03-28', '2026-03-30'), 2, tz); // Europe springs forward
    assert.equal(nightsBetween('2026-10-24', '2026-10-26'), 2, tz); // and falls back
    assert.equal(nightsBetween('2026-03-07', '2026-03-09'), 2, tz); // America springs forward
    assert.equal(nightsBetween('2026-04-04', '2026-04-06'), 2, tz); // Sydney falls back
    assert.deepEqual(nightsOf('2026-03-28', '2026-03-31'), ['2026-03-28', '2026-03-29', '2026-03-30'], tz);
    assert.equal(addDays('2026-03-29', 1), '2026-03-30', tz);
    assert.equal(addDays('2026-10-25', -1), '2026-10-24', tz);
    assert.equal(weekday('2026-03-29'), 6, tz); // a Sunday
  }
});

test('a month is laid out in weeks starting on Monday', () => {
  const march = weeksOf('2026-03-01'); // the 1st is a Sunday
  assert.deepEqual(march[0], [null, null, null, null, null, null, '2026-03-01']);
  assert.equal(march.length, 6);
  assert.deepEqual(march[5], ['2026-03-30', '2026-03-31', null, null, null, null, null]);
  const february = weeksOf('2027-02-01'); // a Monday, 28 days: exactly four weeks
  assert.equal(february.length, 4);
  assert.equal(february.flat().filter(Boolean).length, 28);
});

test('the grid\'s keys move by day, week and month', () => {
  assert.equal(gridMove('2026-03-31', 'ArrowRight'), '2026-04-01');
  assert.equal(gridMove('2026-03-01', 'ArrowLeft'), '2026-02-28');
  assert.equal(gridMove('2026-03-26', 'ArrowDown'), '2026-04-02');
  assert.equal(gridMove('2026-03-04', 'Home'), '2026-03-02'); // a Wednesday, to its Monday
  assert.equal(gridMove('2026-03-04', 'End'), '2026-03-08');
  assert.equal(gridMove('2026-01-31', 'PageDown'), '2026-02-28'); // the month's last day
  assert.equal(gridMove('2026-03-31', 'PageUp'), '2026-02-28');
  assert.equal(gridMove('2026-12-15', 'PageDown'), '2027-01-15');
  assert.equal(gridMove('2026-03-04', 'Tab'), null);
});

test('only real days are dates', () => {
  assert.ok(isDate('2028-02-29'));
  assert.ok(!isDate('2026-02-29'));
  assert.ok(!isDate('2026-2-1'));
  assert.ok(!isDate(20260201));
});
