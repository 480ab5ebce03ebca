// @ts-check
/* The calendar model: the nights loaded for each party, which room types could take a
 * stay and why not, and what each day of the grid offers. No DOM, no formatting. */

import { addMonths, monthOf, nightsBetween, nightsOf } from './dates.js';

/** @typedef {import('./api.js').Night} Night */
/** @typedef {import('./api.js').Money} Money */
/** @typedef {import('./api.js').CalendarAnswer} CalendarAnswer */
/** @typedef {Record<string, Record<string, Night>>} Rooms room type → date → night */
/** @typedef {{adults: number, children: number[]}} Party */

/** Why a stay cannot be booked: a catalogue key and the dates or nights it names.
 * @typedef {{key: 'no_arrival_on' | 'no_departure_on', date: string}
 *   | {key: 'min_stay', date: string, nights: number}
 *   | {key: 'not_free', check_in: string, check_out: string}} Reason */

/** What a day of the grid offers as an arrival.
 * @typedef {{loading: true} | {loading: false, past: boolean, soldOut: boolean,
 *   noArrival: boolean, price: Money | undefined}} Arrival */

/** @param {Party} party */
export const partyKey = (party) => party.adults + '|' + party.children.join(',');

/** One month's answer by room type and date, only `onlyRoom` when the page shows one.
 * @param {CalendarAnswer} answer @param {string | null} onlyRoom @returns {Rooms} */
export function roomsOf(answer, onlyRoom) {
  /** @type {Rooms} */
  const rooms = {};
  for (const room of answer.room_types) {
    if (onlyRoom && room.slug !== onlyRoom) continue;
    rooms[room.slug] = Object.fromEntries(room.nights.map((night) => [night.date, night]));
  }
  return rooms;
}

/** The months loaded, per party; a month is asked for once, even when asked twice at once.
 * After `forget`, `load` is told to revalidate: a cached answer may predate the change.
 * @param {(month: string, party: Party, revalidate: boolean) => Promise<Rooms>} load */
export function createCalendar(load) {
  /** @type {Map<string, Map<string, Rooms | Promise<Rooms>>>} */
  let loaded = new Map();
  let revalidate = false;

  /** @param {Party} party */
  const monthsOf = (party) => {
    const key = partyKey(party);
    if (!loaded.has(key)) loaded.set(key, new Map());
    return /** @type {Map<string, Rooms | Promise<Rooms>>} */ (loaded.get(key));
  };

  return {
    /** @param {string} month @param {Party} party @returns {Promise<Rooms>} */
    async month(month, party) {
      const months = monthsOf(party);
      const known = months.get(month);
      if (known) return known;
      const pending = load(month, party, revalidate).then((rooms) => {
        months.set(month, rooms);
        return rooms;
      }, (error) => {
        months.delete(month);
        throw error;
      });
      months.set(month, pending);
      return pending;
    },
    /** The nights of every room type on `date`, from the months already loaded; null
     * while its month is not. @param {string} date @param {Party} party
     * @returns {[string, Night][] | null} */
    nightsOn(date, party) {
      const rooms = monthsOf(party).get(monthOf(date));
      if (!rooms || rooms instanceof Promise) return null;
      return Object.entries(rooms).flatMap(([slug, nights]) =>
        nights[date] ? [/** @type {[string, Night]} */ ([slug, nights[date]])] : []);
    },
    /** A month known already (the page carried it): it is not asked for.
     * @param {string} month @param {Party} party @param {Rooms} rooms */
    seed(month, party, rooms) {
      monthsOf(party).set(month, rooms);
    },
    /** Availability changed under the guest: ask again for everything. */
    forget() {
      loaded = new Map();
      revalidate = true;
    },
  };
}

/** @typedef {ReturnType<typeof createCalendar>} Calendar */
/** @typedef {(date: string) => [string, Night][] | null} NightsOn */

/** Which room types could take the stay [checkIn, checkOut), and if none, why not.
 * @param {NightsOn} nightsOn @param {string} checkIn @param {string} checkOut
 * @returns {{rooms: string[], reason: Reason | undefined}} */
export function stayCheck(nightsOn, checkIn, checkOut) {
  const nights = nightsBetween(checkIn, checkOut);
  /** @type {Reason[]} */
  const reasons = [];
  /** @param {string} date @param {string} slug */
  const nightOf = (date, slug) => (nightsOn(date) || []).find((x) => x[0] === slug)?.[1];
  const fits = (nightsOn(checkIn) || []).filter(([slug, first]) => {
    if (first.closed_to_arrival) return !reasons.push({ key: 'no_arrival_on', date: checkIn });
    if (first.min_stay > nights) {
      return !reasons.push({ key: 'min_stay', date: checkIn, nights: first.min_stay });
    }
    for (const date of nightsOf(checkIn, checkOut)) {
      const night = nightOf(date, slug);
      if (!night || night.units_free < 1 || !night.price) {
        return !reasons.push({ key: 'not_free', check_in: checkIn, check_out: checkOut });
      }
    }
    if (nightOf(checkOut, slug)?.closed_to_departure) {
      return !reasons.push({ key: 'no_departure_on', date: checkOut });
    }
    return true;
  });
  return { rooms: fits.map((x) => x[0]), reason: reasons[0] };
}

/** What `date` offers as an arrival: past, sold out, closed to arrival, the cheapest price.
 * @param {NightsOn} nightsOn @param {string} date @param {string} today @returns {Arrival} */
export function arrivalOn(nightsOn, date, today) {
  const nights = nightsOn(date);
  if (!nights) return { loading: true };
  const open = nights.filter(([, n]) => n.units_free > 0 && n.price);
  const prices = /** @type {Money[]} */ (open.map(([, n]) => n.price));
  return {
    loading: false,
    past: date < today,
    soldOut: !open.length,
    noArrival: open.length > 0 && open.every(([, n]) => n.closed_to_arrival),
    price: prices.sort((a, b) => a.amount - b.amount)[0],
  };
}

/** The first month shown may not be before today's; a month moved to stays in range.
 * @param {string} month @param {string} today */
export const shownFrom = (month, today) => (month < monthOf(today) ? monthOf(today) : month);

/** The two months shown from `month`. @param {string} month */
export const monthsShown = (month) => [month, addMonths(month, 1)];

/** What a day of the grid is while the guest picks: whether it can be clicked, whether it
 * could end the stay begun at `checkIn`, and the catalogue key of its label.
 * @param {NightsOn} nightsOn @param {string} date @param {string} today
 * @param {string | null} checkIn @param {string | null} checkOut
 * @returns {{arrival: Arrival, enabled: boolean, departure: boolean,
 *   label: '' | 'past' | 'sold_out' | 'no_arrival'}} */
export function dayState(nightsOn, date, today, checkIn, checkOut) {
  const arrival = arrivalOn(nightsOn, date, today);
  const state = { arrival, enabled: true, departure: false, label: /** @type {const} */ ('') };
  if (arrival.loading) return { ...state, enabled: false };
  if (arrival.past) return { ...state, enabled: false, label: 'past' };
  if (checkIn && !checkOut && date > checkIn) {
    // Any later day may be a departure as long as a room is free every night before it.
    const departure = stayCheck(nightsOn, checkIn, date).rooms.length > 0;
    return { ...state, departure, label: arrival.soldOut ? 'sold_out' : '' };
  }
  if (arrival.soldOut) return { ...state, label: 'sold_out' };
  if (arrival.noArrival) return { ...state, label: 'no_arrival' };
  return state;
}
