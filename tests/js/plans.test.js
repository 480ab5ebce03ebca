// @ts-check
/* Rate plans, extras and questions: what the guest is offered first, the terms in one line,
 * what is paid when, and the choices a quote carries. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { additionsFor, cancellationLine, cheapest, extrasFor, mostOf, nameIn, nightRules, noteIn, paymentParts, planQuote,
  roomPolicies, termsLine } from '../../static/widget/plans.js';

/** @typedef {import('../../static/widget/api.js').Quote} Quote */
/** @typedef {import('../../static/widget/plans.js').Extra} Extra */

/** @param {string} plan @param {number} total @param {Partial<Quote>} [more] @returns {Quote} */
const quote = (plan, total, more) => ({
  room_type: 'twin', check_in: '2027-05-01', check_out: '2027-05-03', currency: 'EUR', total,
  due_now: total, quote_hash: 'h-' + plan, rate_plan: plan, nights: [], stay_lines: [], ...more,
});

test('a room is offered first under its cheapest plan, as the calendar priced it', () => {
  // The owner lists flexible first; the calendar shows the non-refundable price.
  const quotes = [quote('flexible', 46000), quote('non-refundable', 41400)];
  assert.equal(cheapest(quotes)?.rate_plan, 'non-refundable');
  assert.equal(planQuote(quotes, null)?.rate_plan, 'non-refundable');
  assert.equal(planQuote(quotes, 'flexible')?.rate_plan, 'flexible');
  // A plan the room no longer sells falls back to the cheapest, never to nothing.
  assert.equal(planQuote(quotes, 'gone')?.rate_plan, 'non-refundable');
  // A tie keeps the owner's order; no plans at all, nothing.
  assert.equal(cheapest([quote('a', 100), quote('b', 100)])?.rate_plan, 'a');
  assert.equal(cheapest([]), null);
});

test('the cancellation terms fit one line of each kind', () => {
  assert.deepEqual(cancellationLine({ free_until_days: 7, refund_percent: 50 }),
    { key: 'plan_free_then_part', values: { days: 7, percent: 50 } });
  assert.deepEqual(cancellationLine({ free_until_days: 5, refund_percent: 0 }),
    { key: 'plan_free_until', values: { days: 5, percent: 0 } });
  assert.equal(cancellationLine({ free_until_days: 0, refund_percent: 0, free_cancellation: false }).key,
    'plan_no_refund');
  assert.equal(cancellationLine({ free_until_days: 0, refund_percent: 30, free_cancellation: false }).key,
    'plan_partial_refund');
});

test('what is paid now, later and at the property adds up to the total', () => {
  const deposit = quote('flexible', 46000, { due_now: 13800, payment_schedule: [
    { due: '2027-04-01', amount: 13800 }, { due: '2027-05-03', amount: 32200 }] });
  assert.deepEqual(paymentParts(deposit), { now: 13800, later: [{ due: '2027-05-03', amount: 32200 }], atProperty: 0 });
  const withTax = quote('non-refundable', 41400, { due_now: 40600 });
  assert.deepEqual(paymentParts(withTax), { now: 40600, later: [], atProperty: 800 });
  const atProperty = quote('on-arrival', 46000, { due_now: 0, pay_at_property: true });
  assert.deepEqual(paymentParts(atProperty), { now: 0, later: [], atProperty: 46000 });
});

/** @param {Partial<Extra>} more @returns {Extra} */
const extra = (more) => ({ slug: 'breakfast', names: { en: 'Breakfast' }, price: { amount: 1200, currency: 'EUR' },
  per: 'guest_night', max_quantity: null, room_types: ['twin'], rate_plans: ['flexible'], payable: 'now', ...more });

test('extras are bounded as the API bounds them, and only what differs is sent', () => {
  const breakfast = extra({});
  const parking = extra({ slug: 'parking', per: 'night', max_quantity: 1 });
  const cot = extra({ slug: 'cot', per: 'stay', max_quantity: null, room_types: ['family'] });
  assert.equal(mostOf(breakfast, 3), 3);
  assert.equal(mostOf(extra({ max_quantity: 2 }), 3), 2);
  assert.equal(mostOf(parking, 3), 1);
  assert.equal(mostOf(cot, 3), 1);
  const pets = { name: 'pets', type: /** @type {const} */ ('integer'), minimum: 0, maximum: 2, default: 0, label: { en: 'Pets?' } };
  const chosen = { extras: { breakfast: 4, parking: 0, unknown: 3 }, inputs: { pets: 5, other: 1 } };
  // The party shrank to two: breakfast for two; pets at their maximum; unknown names dropped.
  assert.deepEqual(additionsFor(chosen, [breakfast, parking], [pets], 2),
    { extras: { breakfast: 2 }, inputs: { pets: 2 } });
  assert.deepEqual(additionsFor({ extras: {}, inputs: { pets: 0 } }, [breakfast], [pets], 2),
    { extras: {}, inputs: {} });
  assert.deepEqual(extrasFor([breakfast, parking, cot], ['twin']).map((e) => e.slug), ['breakfast', 'parking']);
});

test('names are in the guest language, else the owner one', () => {
  assert.equal(nameIn({ en: 'Flexible', de: 'Flexibel' }, 'de', 'x'), 'Flexibel');
  assert.equal(nameIn({ en: 'Flexible' }, 'it', 'x'), 'Flexible');
  assert.equal(nameIn({}, 'it', 'flexible'), 'flexible');
});

test('the payment terms read as one line', () => {
  /** @param {string} key @param {Record<string, string>} v */
  const t = (key, v) => ({ part_now: `${v.amount} now`, part_on: `${v.amount} on ${v.date}`,
    part_at_property: `${v.amount} at the property` })[key] || key;
  const money = (/** @type {number} */ n) => '€' + n / 100;
  const date = (/** @type {string} */ d) => d.slice(5);
  const deposit = quote('flexible', 46000, { due_now: 13800, payment_schedule: [
    { due: '2027-04-01', amount: 13800 }, { due: '2027-05-03', amount: 32200 }] });
  assert.equal(termsLine(deposit, t, money, date), '€138 now, €322 on 05-03');
  assert.equal(termsLine(quote('x', 41400, { due_now: 40600 }), t, money, date), '€406 now, €8 at the property');
  assert.equal(termsLine(quote('x', 46000, { due_now: 0, pay_at_property: true }), t, money, date),
    '€460 at the property');
});

test("a fee line reads in the guest's language when its rule gives the words, else in English", () => {
  const pets = { note: '2 pets × EUR 10.00 a night', notes: { en: '2 pets × €10.00 a night',
    de: '2 Haustiere × 10,00 € pro Nacht', it: '2 animali × 10,00 € a notte' } };
  assert.equal(noteIn(pets, 'de'), '2 Haustiere × 10,00 € pro Nacht');
  assert.equal(noteIn(pets, 'it'), '2 animali × 10,00 € a notte');
  assert.equal(noteIn(pets, 'fr'), '2 pets × EUR 10.00 a night'); // none in French: the note
  // A quote stored before rules gave their words has no notes at all.
  assert.equal(noteIn({ note: 'cleaning, once per stay' }, 'it'), 'cleaning, once per stay');
});

test("the breakdown's rate plan line reads in the guest's language; a stored rule's without words in English", () => {
  const plan = { rule: 'non-refundable', stage: 'plan', amount: -1400, note: '-10%: Non-refundable rate',
    notes: { en: '-10%: Non-refundable rate', it: '-10%: tariffa Non rimborsabile' } };
  const base = { rule: 'base_rate', stage: 'base', amount: 14000, note: 'base price: EUR 140.00' };
  const night = (/** @type {string} */ date) => ({ date, amount: 12600, lines: [base, plan] });
  const quote = /** @type {any} */ ({ nights: [night('2027-03-15'), night('2027-03-16')] });
  assert.deepEqual(nightRules(quote, 'it'), [
    { rule: 'base_rate', amount: 28000, note: 'base price: EUR 140.00', stage: 'base' },
    { rule: 'non-refundable', amount: -2800, note: '-10%: tariffa Non rimborsabile', stage: 'plan' },
  ]);
  assert.equal(nightRules(quote, 'fr')[1].note, '-10%: Non-refundable rate'); // none in French
});

test("each night rule's row reads in the guest's language, from the first night it acted on", () => {
  const words = (/** @type {string} */ en, /** @type {string} */ it, /** @type {string} */ de) =>
    ({ en, it, de, es: en, fr: en });
  const base = { rule: 'base_rate', stage: 'base', amount: 14000, note: 'base price of double: EUR 140.00',
    notes: words('base price: €140.00', 'prezzo base: 140,00 €', 'Grundpreis: 140,00 €') };
  const weekend = { rule: 'weekend', stage: 'adjust', amount: 1500, note: '+EUR 15.00 on fri, sat nights',
    notes: words('+€15.00 on Friday, Saturday nights', '+15,00 € le notti di venerdì, sabato',
      '+15,00 € für Nächte am Freitag, Samstag') };
  const gap = (/** @type {number} */ n) => ({ rule: 'gap_night', stage: 'adjust', amount: -2800,
    note: `-20%: gap between bookings of ${n} nights`,
    notes: words(`-20%: gap between bookings of ${n} nights`, `-20%: buco di ${n} notti tra due prenotazioni`,
      `-20 %: Lücke von ${n} Nächten zwischen Buchungen`) });
  const quote = /** @type {any} */ ({ nights: [
    { date: '2027-03-18', amount: 11200, lines: [base, gap(2)] },
    { date: '2027-03-19', amount: 12700, lines: [base, weekend, gap(2)] },
  ] });
  assert.deepEqual(nightRules(quote, 'it'), [
    { rule: 'base_rate', amount: 28000, note: 'prezzo base: 140,00 €', stage: 'base' },
    { rule: 'gap_night', amount: -5600, note: '-20%: buco di 2 notti tra due prenotazioni', stage: 'adjust' },
    { rule: 'weekend', amount: 1500, note: '+15,00 € le notti di venerdì, sabato', stage: 'adjust' },
  ]);
  assert.deepEqual(nightRules(quote, 'de').map((e) => e.note), [
    'Grundpreis: 140,00 €', '-20 %: Lücke von 2 Nächten zwischen Buchungen', '+15,00 € für Nächte am Freitag, Samstag',
  ]);
});

test('a group is told each room\'s own cancellation terms, or one line when they share them', () => {
  const house = { free_until_days: 7, refund_percent: 0 };
  const strict = { free_until_days: 0, refund_percent: 0, free_cancellation: false };
  /** @type {import('../../static/widget/plans.js').RatePlan[]} */
  const plans = [
    { slug: 'flexible', names: { en: 'Flexible' }, included: {}, room_types: ['twin'], cancellation_policy: house },
    { slug: 'non-refundable', names: { en: 'Non-refundable' }, included: {}, room_types: ['twin'],
      cancellation_policy: strict },
  ];
  assert.deepEqual(roomPolicies(['flexible', 'non-refundable'], plans, house),
    [{ room: 0, policy: house }, { room: 1, policy: strict }]);
  // Two rooms on the same terms (a room on no plan has the property's): one line.
  assert.deepEqual(roomPolicies(['flexible', null], plans, house), [{ room: null, policy: house }]);
  assert.deepEqual(roomPolicies(['non-refundable', 'non-refundable'], plans, house), [{ room: null, policy: strict }]);
});
