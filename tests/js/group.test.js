// @ts-check
/* Several rooms for one party: the rooms free for the stay, the party split over the rooms a
 * guest counted, and what a hold of several rooms costs the guest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bedsIn, freeRooms, groupQuote, heldQuote, isGroup, roomAsQuoted, roomNamed, roomsKey, roomsLabel, splitParty }
  from '../../static/widget/group.js';
import { termsLine } from '../../static/widget/plans.js';

/** @typedef {import('../../static/widget/api.js').Quote} Quote */
/** @typedef {import('../../static/widget/api.js').Night} Night */

const ROOMS = [{ slug: 'last-room', max_guests: 2 }, { slug: 'twin', max_guests: 3 }];

/** @param {string} date @param {number} free @param {boolean} [priced] @returns {Night} */
const night = (date, free, priced = true) => ({ date, units_free: free, min_stay: 1,
  price: priced ? { amount: 10000, currency: 'EUR' } : null, closed_to_arrival: false, closed_to_departure: false });

test('the rooms free for a stay are those free every night of it, as many as the fewest', () => {
  const answer = { room_types: [
    { slug: 'twin', nights: [night('2027-05-01', 3), night('2027-05-02', 2), night('2027-05-03', 0)] },
    { slug: 'last-room', nights: [night('2027-05-01', 1), night('2027-05-02', 0)] },
    { slug: 'suite', nights: [night('2027-05-01', 2, false), night('2027-05-02', 2)] },
  ] };
  // The departure day's night is not part of the stay; a night not for sale counts as none.
  assert.deepEqual([...freeRooms(answer, '2027-05-01', '2027-05-03')], [['twin', 2]]);
  assert.deepEqual([...freeRooms(answer, '2027-05-01', '2027-05-02')], [['twin', 3], ['last-room', 1]]);
});

test('a family of five is split over two rooms, the largest first, an adult in each', () => {
  const party = { adults: 2, children: [8, 11, 14] };
  assert.deepEqual(splitParty(party, { twin: 1, 'last-room': 1 }, ROOMS), [
    { room_type: 'twin', adults: 1, children: [8, 11] },
    { room_type: 'last-room', adults: 1, children: [14] },
  ]);
  assert.deepEqual(splitParty({ adults: 5, children: [] }, { twin: 2 }, ROOMS), [
    { room_type: 'twin', adults: 3, children: [] },
    { room_type: 'twin', adults: 2, children: [] },
  ]);
  assert.equal(bedsIn({ twin: 2, 'last-room': 1 }, ROOMS), 8);
});

test('rooms that cannot sleep the party are refused, never a room without an adult', () => {
  assert.equal(splitParty({ adults: 1, children: [5, 7] }, { 'last-room': 2 }, ROOMS), null);
  assert.equal(splitParty({ adults: 5, children: [] }, { twin: 1 }, ROOMS), null); // too few beds
  assert.equal(splitParty({ adults: 2, children: [] }, {}, ROOMS), null); // no room counted
  assert.equal(splitParty({ adults: 2, children: [] }, { nowhere: 1 }, ROOMS), null);
});

test('every split keeps the party whole, an adult in every room and no room over its size', () => {
  for (let adults = 1; adults <= 8; adults++) {
    for (let kids = 0; kids <= 4; kids++) {
      for (let twins = 0; twins <= 3; twins++) {
        for (let singles = 0; singles <= 1; singles++) {
          const party = { adults, children: Array.from({ length: kids }, (_, i) => i + 2) };
          const split = splitParty(party, { twin: twins, 'last-room': singles }, ROOMS);
          const fits = twins + singles > 0 && adults >= twins + singles && adults + kids <= 3 * twins + 2 * singles;
          assert.equal(split !== null, fits, JSON.stringify({ party, twins, singles }));
          if (!split) continue;
          assert.equal(split.reduce((n, r) => n + r.adults, 0), adults);
          assert.deepEqual(split.flatMap((r) => r.children), party.children);
          for (const room of split) {
            assert.ok(room.adults >= 1);
            assert.ok(room.adults + room.children.length <= (room.room_type === 'twin' ? 3 : 2));
          }
        }
      }
    }
  }
});

test('a way of rooms is named by its types, each once, in the order offered', () => {
  const names = /** @type {Record<string, string>} */ ({ twin: 'Twin room', 'last-room': 'The last room' });
  const rooms = [{ room_type: 'twin', adults: 2, children: [] }, { room_type: 'last-room', adults: 1, children: [] },
    { room_type: 'twin', adults: 1, children: [4] }];
  assert.equal(roomsLabel(rooms, (s) => names[s]), '2 × Twin room + 1 × The last room');
  assert.notEqual(roomsKey(rooms), roomsKey(rooms.slice().reverse()));
  assert.equal(roomsKey(rooms), roomsKey(rooms.map((r) => ({ ...r }))));
});

test('a hold of several rooms costs the group total, paid as one; one room its quote', () => {
  /** @type {Quote} */
  const first = { room_type: 'twin', check_in: '2027-05-01', check_out: '2027-05-03', currency: 'EUR',
    total: 30000, due_now: 9000, quote_hash: 'a', nights: [], stay_lines: [],
    payment_schedule: [{ due: '2027-04-01', amount: 9000 }, { due: '2027-04-17', amount: 21000 }] };
  const second = { ...first, room_type: 'last-room', total: 20000, due_now: 6000, quote_hash: 'b' };
  const single = { id: 'h', token: 't', expires_at: '2027-04-01T10:00:00Z', quote: first };
  assert.equal(isGroup(single), false);
  assert.equal(heldQuote(single), first);
  const group = { ...single, quotes: [first, second], total: 50000, due_now: 15000,
    payment_schedule: [{ due: '2027-04-01', amount: 15000 }, { due: '2027-04-17', amount: 35000 }] };
  assert.equal(isGroup(group), true);
  const paid = heldQuote(group);
  assert.equal(paid.total, 50000);
  assert.equal(paid.due_now, 15000);
  assert.deepEqual(paid.payment_schedule, group.payment_schedule);
  // All paid now: the group has no schedule, and neither has what it is paid as.
  assert.deepEqual(heldQuote({ ...group, payment_schedule: undefined }).payment_schedule, []);
});

test('a group is paid at the property only when nothing of it is due now', () => {
  /** @type {Quote} */
  const online = { room_type: 'twin', check_in: '2027-05-01', check_out: '2027-05-03', currency: 'EUR',
    total: 30000, due_now: 30000, quote_hash: 'a', nights: [], stay_lines: [], pay_at_property: false };
  const atProperty = { ...online, room_type: 'last-room', total: 20000, due_now: 0, quote_hash: 'b', pay_at_property: true };
  // The first room is paid at the property, the second online: the group pays its part now.
  const mixed = { id: 'h', token: 't', expires_at: '2027-04-01T10:00:00Z', quote: atProperty,
    quotes: [atProperty, online], total: 50000, due_now: 30000 };
  assert.equal(heldQuote(mixed).pay_at_property, false);
  assert.equal(heldQuote({ ...mixed, quote: online, quotes: [online, atProperty] }).pay_at_property, false);
  const none = { ...mixed, quotes: [atProperty, atProperty], due_now: 0 };
  assert.equal(heldQuote({ ...none, quote: { ...atProperty, pay_at_property: false } }).pay_at_property, true);
});

test('rooms on different plans cost their sum, now the online part, later each date added up', () => {
  const base = { check_in: '2027-05-01', check_out: '2027-05-03', currency: 'EUR', quote_hash: 'x',
    nights: [], stay_lines: [] };
  /** @type {Quote} */
  const flexible = { ...base, room_type: 'twin', rate_plan: 'flexible', total: 30000, due_now: 9000,
    payment_schedule: [{ due: '2027-03-01', amount: 9000 }, { due: '2027-04-17', amount: 21000 }] };
  /** @type {Quote} */
  const strict = { ...base, room_type: 'twin', rate_plan: 'non-refundable', total: 27000, due_now: 27000,
    payment_schedule: [{ due: '2027-03-01', amount: 27000 }] };
  /** @type {Quote} */
  const onArrival = { ...base, room_type: 'last-room', rate_plan: 'on-arrival', total: 10000, due_now: 0,
    pay_at_property: true };
  const whole = groupQuote([flexible, strict, flexible, onArrival]);
  assert.equal(whole.total, 97000);
  assert.equal(whole.due_now, 45000);
  assert.equal(whole.pay_at_property, false);
  assert.deepEqual(whole.payment_schedule, [{ due: '2027-03-01', amount: 45000 }, { due: '2027-04-17', amount: 42000 }]);
  const said = termsLine(whole, (key, v) => key + ' ' + Object.values(v).join(' '), String, (d) => d);
  assert.equal(said, 'part_now 45000, part_on 42000 2027-04-17, part_at_property 10000');
  assert.equal(groupQuote([onArrival, onArrival]).pay_at_property, true);
  assert.equal(groupQuote([onArrival, onArrival]).due_now, 0);
});

test('each room is held as it was quoted: its plan, extras and answers', () => {
  const room = { room_type: 'twin', adults: 2, children: [8] };
  /** @type {Quote} */
  const quote = { room_type: 'twin', check_in: '2027-05-01', check_out: '2027-05-03', currency: 'EUR',
    total: 1, due_now: 1, quote_hash: 'a', nights: [], stay_lines: [], rate_plan: 'flexible',
    extras: { breakfast: 6 }, inputs: {} };
  assert.deepEqual(roomAsQuoted(room, quote),
    { room_type: 'twin', adults: 2, children: [8], rate_plan: 'flexible', extras: { breakfast: 6 }, inputs: {} });
  // Other plans or extras are other rooms to hold.
  const other = roomAsQuoted(room, { ...quote, rate_plan: 'non-refundable' });
  assert.notEqual(roomsKey([roomAsQuoted(room, quote)]), roomsKey([other]));
  assert.notEqual(roomsKey([roomAsQuoted(room, quote)]), roomsKey([roomAsQuoted(room, { ...quote, extras: {} })]));
});

test('a refusal naming a room points at that room', () => {
  assert.equal(roomNamed('rooms[1].rate_plan'), 1);
  assert.equal(roomNamed('rooms[0].extras.breakfast'), 0);
  assert.equal(roomNamed('rate_plan'), null);
  assert.equal(roomNamed(undefined), null);
});
