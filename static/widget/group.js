// @ts-check
/* Several rooms for one party: the rooms free for a stay, how the party is split over the
 * rooms a guest counted (an adult in every room, as the service splits the ways it offers),
 * and a hold of several rooms seen as one quote. Pure: unit-tested by Node. */

import { guestsOf } from './state.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./api.js').Hold} Hold */
/** @typedef {import('./api.js').CalendarAnswer} CalendarAnswer */
/** @typedef {{adults: number, children: number[]}} Party */
/** One room of a hold of several rooms, as the API takes it (with what was chosen for it).
 * @typedef {{room_type: string, adults: number, children: number[], rate_plan?: string,
 *   extras?: Record<string, number>, inputs?: Record<string, number | boolean>}} GroupRoom */
/** A way the API offers to put up a party no one room sleeps, cheapest first.
 * @typedef {{rooms: GroupRoom[], total: {amount: number, currency: string},
 *   due_now: {amount: number, currency: string}}} Combination */

/** How many units of each room type are free every night of [checkIn, checkOut), from the
 * calendar of that stay (asked for one guest, so every room type is in it); only types with
 * one free or more. @param {CalendarAnswer} answer @param {string} checkIn
 * @param {string} checkOut @returns {Map<string, number>} */
export function freeRooms(answer, checkIn, checkOut) {
  const free = new Map();
  for (const room of answer.room_types) {
    const nights = room.nights.filter((n) => n.date >= checkIn && n.date < checkOut);
    const count = nights.length ? Math.min(...nights.map((n) => (n.price ? n.units_free : 0))) : 0;
    if (count > 0) free.set(room.slug, count);
  }
  return free;
}

/** The party over the rooms counted (`slug → how many`), the largest rooms first: one adult
 * in each, then the other adults and the children room by room; null when the rooms cannot
 * sleep the party (a room without an adult, or too few beds).
 * @param {Party} party @param {Record<string, number>} counts
 * @param {{slug: string, max_guests: number}[]} roomTypes @returns {GroupRoom[] | null} */
export function splitParty(party, counts, roomTypes) {
  const rooms = roomTypes.flatMap((r) => Array(counts[r.slug] || 0).fill(r))
    .sort((a, b) => b.max_guests - a.max_guests);
  const beds = rooms.reduce((sum, r) => sum + r.max_guests, 0);
  if (!rooms.length || party.adults < rooms.length || guestsOf(party) > beds) return null;
  let adults = party.adults - rooms.length;
  const children = party.children.slice();
  const split = rooms.map((room) => {
    const more = Math.min(adults, room.max_guests - 1);
    adults -= more;
    return { room_type: room.slug, adults: 1 + more, children: children.splice(0, room.max_guests - 1 - more) };
  });
  return adults || children.length ? null : split;
}

/** How many guests the counted rooms sleep. @param {Record<string, number>} counts
 * @param {{slug: string, max_guests: number}[]} roomTypes */
export const bedsIn = (counts, roomTypes) =>
  roomTypes.reduce((sum, r) => sum + (counts[r.slug] || 0) * r.max_guests, 0);

/** "2 × Twin room + 1 × Single room": the rooms of a way, each type once, in their order.
 * @param {GroupRoom[]} rooms @param {(slug: string) => string} nameOf */
export function roomsLabel(rooms, nameOf) {
  /** @type {Map<string, number>} */
  const counted = new Map();
  for (const room of rooms) counted.set(room.room_type, (counted.get(room.room_type) || 0) + 1);
  return [...counted].map(([slug, n]) => n + ' × ' + nameOf(slug)).join(' + ');
}

/** The same rooms asked for again (the same plans and extras): the key of a list of rooms.
 * @param {GroupRoom[]} rooms */
export const roomsKey = (rooms) => rooms.map((r) => r.room_type + ':' + r.adults + ':' + r.children.join('.')
  + (r.rate_plan ? ':' + r.rate_plan : '') + (r.extras ? ':' + JSON.stringify(r.extras) : '')).join('|');

/** Whether the hold covers several rooms. @param {Hold} hold */
export const isGroup = (hold) => Array.isArray(hold.quotes) && hold.quotes.length > 1;

/** What the guest pays for the hold, as one quote: a group's total, due now and schedule
 * over its first room's quote (the stay, the currency); paid at the property only when
 * nothing is due now (rooms paid online beside rooms paid at the property pay the online
 * part now); one room's quote as it is. @param {Hold} hold @returns {Quote} */
export function heldQuote(hold) {
  if (!isGroup(hold) || hold.total === undefined || hold.due_now === undefined) return hold.quote;
  return { ...hold.quote, total: hold.total, due_now: hold.due_now, payment_schedule: hold.payment_schedule || [],
    pay_at_property: hold.due_now === 0 };
}

/** The rooms' chosen quotes as one, before they are held: the sum the hold will cost, due
 * now the online rooms' part, and their later instalments added up by date (the rooms paid
 * at the property are paid there). @param {Quote[]} quotes @returns {Quote} */
export function groupQuote(quotes) {
  const online = quotes.filter((q) => !q.pay_at_property);
  const now = online.reduce((n, q) => n + q.due_now, 0);
  /** @type {Map<string, number>} */
  const later = new Map();
  for (const q of online) {
    for (const part of (q.payment_schedule || []).slice(1)) later.set(part.due, (later.get(part.due) || 0) + part.amount);
  }
  const first = online.find((q) => q.payment_schedule?.length)?.payment_schedule?.[0].due;
  const schedule = [...later].sort(([a], [b]) => (a < b ? -1 : 1)).map(([due, amount]) => ({ due, amount }));
  return { ...quotes[0], total: quotes.reduce((n, q) => n + q.total, 0), due_now: now,
    payment_schedule: first ? [{ due: first, amount: now }, ...schedule] : [], pay_at_property: now === 0 };
}

/** A room as the hold asks for it: its party, and the plan, extras and answers its quote
 * was priced with (a plan that does not offer an extra has it left out of its quote).
 * @param {GroupRoom} room @param {Quote} quote @returns {GroupRoom} */
export const roomAsQuoted = (room, quote) => ({ room_type: room.room_type, adults: room.adults,
  children: room.children, ...(quote.rate_plan ? { rate_plan: quote.rate_plan } : {}),
  extras: quote.extras || {}, inputs: quote.inputs || {} });

/** The room a refusal names (`rooms[1].rate_plan` → 1), else null. @param {unknown} field */
export function roomNamed(field) {
  const found = typeof field === 'string' ? /^rooms\[(\d+)\]/.exec(field) : null;
  return found ? +found[1] : null;
}
