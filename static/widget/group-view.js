// @ts-check
/* Several rooms in one booking. A party no one room sleeps is shown the ways the service
 * offers (cheapest first), each held with one button; any party may also count the rooms of
 * each type it wants ("Book several rooms"), split over them with an adult in every room.
 * Then the held rooms in the checkout and the booked rooms on the confirmation. */

import { ApiError } from './errors.js';
import { el } from './dom.js';
import { groupChoices } from './group-choices-view.js';
import { bedsIn, freeRooms, roomsKey, roomsLabel, splitParty } from './group.js';
import { nameIn } from './plans.js';
import { guestsOf } from './state.js';

/** @typedef {import('./group.js').GroupRoom} GroupRoom */
/** @typedef {import('./group.js').Combination} Combination */
/** @typedef {import('./group.js').Party} Party */
/** @typedef {import('./config.js').Place} Place */
/** @typedef {(key: string, values?: Record<string, string | number>) => string} Sentences */
/** @typedef {(amount: number, currency: string) => string} Money */
/** A room as listed: its type, its party, its plan and extras, what it costs.
 * @typedef {{room_type: string, adults: number, children: number[], total: number,
 *   rate_plan?: string | null, extras?: Record<string, number>}} ListedRoom */

/** The rooms of a hold or a booking, each with its party, its plan, its extras and its
 * price. @param {import('./dom.js').Attrs} attrs the list's @param {ListedRoom[]} rooms
 * @param {string} currency @param {{language: string, t: Sentences, money: Money, place: Place}} view */
export function roomsList(attrs, rooms, currency, { language, t, money, place }) {
  return el('ul', { class: 'group-rooms', ...attrs }, ...rooms.map((room) => {
    const plan = (place.rate_plans || []).find((p) => p.slug === room.rate_plan);
    const extras = Object.entries(room.extras || {}).filter(([, n]) => n > 0).map(([slug, n]) => {
      const extra = (place.extras || []).find((e) => e.slug === slug);
      return (extra ? nameIn(extra.names, language, slug) : slug) + ' × ' + n;
    });
    return el('li', { 'data-slug': room.room_type, 'data-plan': room.rate_plan || '' },
      [t('room_for', { room: typeName(place, room.room_type), n: room.adults + room.children.length }),
        plan ? nameIn(plan.names, language, plan.slug) : '', ...extras].filter(Boolean).join(' · ')
      + ': ' + money(room.total, currency));
  }));
}

/** @param {Place} place @param {string} slug */
export const typeName = (place, slug) => place.room_types.find((r) => r.slug === slug)?.name || slug;

/** @param {{language: string, t: Sentences, money: Money, place: Place, maxRooms: number,
 *   api: import('./api.js').Api, hold: (rooms: GroupRoom[]) => void,
 *   failed: (section: HTMLElement, error: unknown) => void}} view */
export function groupView({ language, t, money, place, maxRooms, api, hold, failed }) {
  const heading = el('h2', { id: 'group-h', tabindex: '-1', text: t('group_h') });
  const body = el('div', {});
  const section = el('section', { class: 'rooms group', 'data-testid': 'group', 'aria-labelledby': 'group-h', hidden: true },
    heading, body);
  /** @param {string} slug */
  const nameOf = (slug) => typeName(place, slug);
  let shown = 0; // the stay drawn last: an answer for an older one is dropped
  const choices = groupChoices({ language, t, money, place, api, hold });
  // Where the property sells plans or extras, the guest chooses them room by room first.
  const choosing = !!(place.rate_plans?.length || place.extras?.length);
  /** @param {GroupRoom[]} rooms @param {{check_in: string, check_out: string}} stay */
  const choose = (rooms, stay) => (choosing ? choices.open(rooms, stay) : hold(rooms));

  /** The rooms free for the stay, counted by the guest, and what they cost together (each
   * room quoted as its hold will price it). @param {Map<string, number>} free
   * @param {Party} party @param {{check_in: string, check_out: string}} stay */
  function counter(free, party, stay) {
    /** @type {Record<string, number>} */
    const counts = {};
    const types = place.room_types.filter((r) => free.has(r.slug));
    const status = el('p', { class: 'muted', 'aria-live': 'polite' });
    let asked = 0; // the count priced last: an older answer is dropped
    const say = async () => {
      const mine = ++asked;
      const rooms = Object.values(counts).reduce((a, b) => a + b, 0);
      const sleeps = rooms ? t('counts_sleep', { beds: bedsIn(counts, types), guests: guestsOf(party) }) : '';
      status.textContent = rooms > maxRooms ? t('counts_most', { n: maxRooms }) : sleeps;
      const split = rooms <= maxRooms ? splitParty(party, counts, types) : null;
      if (!split) return;
      try {
        const quotes = await Promise.all(split.map((room) => api.quote(place.slug, { ...room, ...stay })));
        /** @param {'total' | 'due_now'} part */
        const sum = (part) => money(quotes.reduce((n, q) => n + q[part], 0), quotes[0].currency);
        if (mine === asked) status.textContent = sleeps + ' ' + t('total') + ': ' + sum('total') + ' · ' + t('pay_now') + ': ' + sum('due_now');
      } catch { /* the price shows once the rooms are held */ }
    };
    const count = () => {
      const rooms = Object.values(counts).reduce((a, b) => a + b, 0);
      const split = rooms <= maxRooms ? splitParty(party, counts, types) : null;
      if (split) choose(split, stay);
      else status.textContent = rooms > maxRooms ? t('counts_most', { n: maxRooms }) : t('counts_short');
    };
    return el('fieldset', { class: 'counts', 'data-testid': 'room-counts' },
      el('legend', { text: t('count_rooms') }),
      ...types.map((type) => {
        const select = el('select', { id: 'count-' + type.slug, 'data-testid': 'room-count', 'data-slug': type.slug,
          onchange: (/** @type {Event} */ e) => {
            counts[type.slug] = +(/** @type {HTMLSelectElement} */ (e.target).value);
            say();
          } });
        for (let n = 0; n <= Math.min(free.get(type.slug) || 0, maxRooms); n++) select.append(el('option', { value: n, text: n }));
        return el('label', { for: 'count-' + type.slug, class: 'field' },
          el('span', { text: type.name + ' · ' + t('sleeps', { n: type.max_guests }) }), select);
      }),
      status,
      el('button', { type: 'button', class: 'primary', 'data-testid': 'choose-rooms', text: t('choose_rooms'), onclick: count }));
  }

  /** @param {{check_in: string, check_out: string}} stay @param {Combination} way */
  function offered(stay, way) {
    const label = roomsLabel(way.rooms, nameOf);
    return el('li', { class: 'room', 'data-testid': 'combination' },
      el('div', { class: 'room-body' },
        el('h3', { text: label }),
        el('p', { class: 'muted', text: way.rooms.map((r) => t('room_for', { room: nameOf(r.room_type),
          n: r.adults + r.children.length })).join(' · ') }),
        el('p', { class: 'total' },
          el('span', { class: 'amount', text: money(way.total.amount, way.total.currency) }),
          el('span', { class: 'muted', text: ' · ' + t('pay_now') + ': ' + money(way.due_now.amount, way.due_now.currency) })),
        el('button', { type: 'button', class: 'primary', 'data-testid': 'choose-rooms', 'data-key': roomsKey(way.rooms),
          'aria-label': t('choose_rooms') + ': ' + label, text: t('choose_rooms'), onclick: () => choose(way.rooms, stay) })));
  }

  /** The ways the service offers a party no one room sleeps (its 422 carries them).
   * @param {{check_in: string, check_out: string}} stay @param {Party} party @param {string} anyRoom
   * @returns {Promise<Combination[]>} */
  async function ways(stay, party, anyRoom) {
    try {
      await api.quote(place.slug, { room_type: anyRoom, ...stay, ...party });
      return [];
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.body.combinations)) return error.body.combinations;
      throw error;
    }
  }

  /** @param {{check_in: string, check_out: string}} stay @param {Party} party
   * @param {boolean} oversized no one room sleeps the party */
  async function load(stay, party, oversized) {
    const mine = ++shown;
    choices.close();
    body.replaceChildren(el('p', { class: 'loading', text: t('loading') }));
    const params = new URLSearchParams({ start: stay.check_in, end: stay.check_out, adults: '1' });
    try {
      const [answer, offers] = await Promise.all([api.calendar(place.slug, params),
        oversized ? ways(stay, party, place.room_types[0]?.slug || '') : Promise.resolve([])]);
      if (mine !== shown) return;
      const free = freeRooms(answer, stay.check_in, stay.check_out);
      body.replaceChildren(
        oversized ? el('p', { text: t(offers.length ? 'group_intro' : 'group_none', { guests: guestsOf(party) }) }) : '',
        offers.length ? el('ul', { class: 'rooms-list' }, ...offers.map((way) => offered(stay, way))) : '',
        free.size ? counter(free, party, stay) : '', choices.section);
    } catch (error) {
      if (mine !== shown) return;
      body.replaceChildren();
      failed(section, error);
    }
  }

  return {
    section,
    heading,
    /** The hold refused one room's plan: said at that room. @param {unknown} error
     * @returns {boolean} whether a room was named */
    refused: (error) => choices.refused(error),
    /** Shows what the stay offers a group: for a party no one room sleeps, the ways and the
     * counter at once; for others, "Book several rooms", loaded when opened.
     * @param {{check_in: string, check_out: string}} stay @param {Party} party @param {boolean} oversized */
    show(stay, party, oversized) {
      section.hidden = false;
      heading.hidden = !oversized;
      if (oversized) {
        section.replaceChildren(heading, body);
        load(stay, party, true);
        return;
      }
      ++shown;
      const more = el('details', { class: 'several' },
        el('summary', { 'data-testid': 'several-rooms', text: t('several_rooms') }));
      more.addEventListener('toggle', () => {
        if (more.open && more.childElementCount < 2) {
          more.append(body);
          load(stay, party, false);
        }
      });
      body.replaceChildren();
      section.replaceChildren(heading, more);
    },
    hide() {
      ++shown;
      section.hidden = true;
      section.replaceChildren(heading, body);
      body.replaceChildren();
    },
  };
}
