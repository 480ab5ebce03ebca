// @ts-check
/* Money, dates and sentences as the guest reads them, in the widget's five languages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatMoney, longDate, minutesSeconds, monthName, sentence, shortDate, weekdayNames } from '../../static/widget/format.js';

/** Intl's spaces (no-break, narrow no-break) as plain ones, for readable expectations.
 * @param {string} s */
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('money in minor units reads right in each language', () => {
  const expected = {
    en: ['€1,234,567.89', '€120'], de: ['1.234.567,89 €', '120 €'], fr: ['1 234 567,89 €', '120 €'],
    es: ['1.234.567,89 €', '120 €'], it: ['1.234.567,89 €', '120 €'],
  };
  for (const [language, [full, compact]] of Object.entries(expected)) {
    assert.equal(plain(formatMoney(language, 123456789, 'EUR', 2)), full, language);
    assert.equal(plain(formatMoney(language, 12000, 'EUR', 2, true)), compact, language);
  }
});

test('the exponent comes from the page, not from a guess', () => {
  assert.equal(formatMoney('en', 1234, 'JPY', 0), '¥1,234');
  assert.equal(plain(formatMoney('en', 1234, 'KWD', 3)), 'KWD 1.234');
  assert.equal(formatMoney('en', 5, 'EUR', 2), '€0.05');
  assert.equal(formatMoney('en', -2500, 'EUR', 2), '-€25.00');
  // A compact price keeps its cents when it has some.
  assert.equal(formatMoney('en', 12050, 'EUR', 2, true), '€120.50');
});

test('an amount that is not whole minor units is refused', () => {
  assert.throws(() => formatMoney('en', 120.5, 'EUR', 2), TypeError);
});

test('dates are the property\'s days in each language', () => {
  const expected = {
    en: 'Monday, 6 July 2026', de: 'Montag, 6. Juli 2026', fr: 'lundi 6 juillet 2026',
    es: 'lunes, 6 de julio de 2026', it: 'lunedì 6 luglio 2026',
  };
  for (const [language, text] of Object.entries(expected)) {
    // en-GB-style day-month order comes from the page's `en`: accept either English order.
    const got = longDate(language, '2026-07-06');
    if (language === 'en') assert.match(got, /^Monday,? (6 July|July 6,?) 2026$/);
    else assert.equal(got, text, language);
  }
  assert.equal(monthName('de', '2026-03-01'), 'März 2026');
  assert.equal(monthName('fr', '2026-08-01'), 'août 2026');
  assert.match(shortDate('it', '2026-12-31'), /^gio 31 dic$/);
});

test('weeks start on Monday in every language', () => {
  assert.deepEqual(weekdayNames('de').map(([, long]) => long),
    ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag']);
  assert.equal(weekdayNames('es')[6][1], 'domingo');
});

test('a day is never shifted by the browser\'s time zone', () => {
  const zone = process.env.TZ;
  try {
    for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/New_York']) {
      process.env.TZ = tz;
      assert.equal(longDate('de', '2026-03-29'), 'Sonntag, 29. März 2026', tz);
    }
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test('sentences fill their placeholders and keep unknown ones visible', () => {
  const catalogue = { held_for: 'Held for {time}', selected: '{nights} nights from {check_in}' };
  assert.equal(sentence(catalogue, 'held_for', { time: '9:59' }), 'Held for 9:59');
  assert.equal(sentence(catalogue, 'selected', { nights: 3 }), '3 nights from {check_in}');
  assert.equal(sentence(catalogue, 'missing_key'), 'missing_key');
});

test('the countdown reads minutes and seconds and never goes below zero', () => {
  assert.equal(minutesSeconds(10 * 60000), '10:00');
  assert.equal(minutesSeconds(61500), '1:01');
  assert.equal(minutesSeconds(-5000), '0:00');
});
