// @ts-check
/* Each room of a group, before it is held: its rate plans side by side (as one room's are),
 * its extras and the pricing rules' questions (the one room's form, extras-view.js), priced
 * live (each room quoted as the hold will price it), what the rooms cost together and when
 * it is paid; then one button holds them all with those choices. */

import { el } from './dom.js';
import { ApiError } from './errors.js';
import { shortDate } from './format.js';
import { groupQuote, roomAsQuoted, roomNamed } from './group.js';
import { extrasView } from './extras-view.js';
import { additionsFor, extrasFor, termsLine } from './plans.js';
import { planButton } from './rooms-view.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./group.js').GroupRoom} GroupRoom */
/** @typedef {import('./plans.js').Extra} Extra */
/** A room being chosen for: its party, the extras and answers asked, its quote under each
 * plan, the plan picked, and the answer it waits for (an older one is dropped; while it
 * waits, or the guest is still changing its additions, the rooms cannot be held at a stale
 * price).
 * @typedef {{room: GroupRoom, additions: import('./plans.js').Additions, offered: Extra[], quotes: Quote[],
 *   plan: string | null, asked: number, busy: boolean, item: HTMLElement, plans: HTMLElement,
 *   price: HTMLElement, error: HTMLElement, timer?: ReturnType<typeof setTimeout>}} Slot */

/** @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   money: (amount: number, currency: string) => string, place: import('./config.js').Place,
 *   api: import('./api.js').Api, hold: (rooms: GroupRoom[]) => void}} view */
export function groupChoices({ language, t, money, place, api, hold }) {
  const plans = place.rate_plans || [];
  const questions = place.inputs || [];
  const heading = el('h3', { id: 'group-choices-h', tabindex: '-1', text: t('your_rooms') });
  const list = el('ol', { class: 'rooms-list' });
  const terms = el('p', { 'data-testid': 'group-terms', 'aria-live': 'polite' });
  const holdButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'hold-rooms',
    text: t('hold_rooms'), onclick: () => {
      const chosen = slots.map((s) => picked(s));
      if (chosen.every((q) => q)) hold(slots.map((s, i) => roomAsQuoted(s.room, /** @type {Quote} */ (chosen[i]))));
    } });
  const section = el('div', { class: 'group-choices-box', 'data-testid': 'group-choices', hidden: true,
    'aria-labelledby': 'group-choices-h', role: 'region' }, heading, list, terms, holdButton);
  /** @type {Slot[]} */
  let slots = [];
  /** @type {{check_in: string, check_out: string}} */
  let stay = { check_in: '', check_out: '' };

  /** @param {Slot} slot @returns {Quote | null} */
  const picked = (slot) => slot.quotes.find((q) => q.rate_plan === slot.plan) || slot.quotes[0] || null;

  /** The rooms' prices and plans as chosen, and what they cost together. */
  function drawTotals() {
    const chosen = slots.map(picked);
    holdButton.disabled = !chosen.every((q) => q) || slots.some((s) => s.busy);
    if (!chosen.every((q) => q)) return;
    const whole = groupQuote(/** @type {Quote[]} */ (chosen));
    const c = whole.currency;
    terms.textContent = t('total') + ': ' + money(whole.total, c) + ' · '
      + termsLine(whole, t, (n) => money(n, c), (d) => shortDate(language, d));
  }

  /** @param {Slot} slot */
  function drawSlot(slot) {
    const quote = picked(slot);
    slot.price.textContent = quote ? money(quote.total, quote.currency) : t('loading');
    slot.plans.replaceChildren(...slot.quotes.map((q) => planButton({ language, t, money, plans }, q, (chosen) => {
      slot.plan = String(chosen.rate_plan);
      slot.error.hidden = true;
      for (const b of slot.plans.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.slug === slot.plan));
      drawSlot(slot);
      /** @type {HTMLElement | null} */ (slot.plans.querySelector(`[data-slug="${slot.plan}"]`))?.focus();
    })));
    for (const b of slot.plans.querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(quote !== null && b.dataset.slug === String(quote.rate_plan)));
    }
    drawTotals();
  }

  /** Prices the room under every plan with its extras and answers, as the hold will.
   * @param {Slot} slot */
  async function price(slot) {
    const mine = ++slot.asked;
    const { room } = slot;
    const guests = room.adults + room.children.length;
    const added = additionsFor(slot.additions, slot.offered, questions, guests);
    slot.busy = true;
    holdButton.disabled = true;
    try {
      const answer = await api.plans(place.slug, { room_type: room.room_type, adults: room.adults,
        children: room.children, ...stay, ...added });
      if (mine !== slot.asked) return;
      slot.busy = false;
      slot.quotes = answer.quotes;
      drawSlot(slot);
    } catch (error) {
      if (mine !== slot.asked) return;
      slot.busy = false;
      slot.error.textContent = error instanceof Error && error.message ? error.message : t('offline');
      slot.error.hidden = false;
    }
  }

  /** @param {GroupRoom} room @param {number} index @returns {Slot} */
  function slotFor(room, index) {
    const type = place.room_types.find((r) => r.slug === room.room_type);
    const name = t('room_n', { n: index + 1 }) + ': ' + t('room_for',
      { room: type?.name || room.room_type, n: room.adults + room.children.length });
    const guests = room.adults + room.children.length;
    const offered = extrasFor(place.extras || [], [room.room_type]);
    const errorId = 'group-room-error-' + index;
    /** @type {Slot} */
    const slot = { room, additions: { extras: {}, inputs: {} }, offered, quotes: [], plan: null, asked: 0,
      busy: false, item: el('li', {}), plans: el('div', { class: 'plans', role: 'group',
        'aria-label': t('plans_for', { room: name }), 'aria-describedby': errorId }),
      price: el('p', { class: 'amount', 'data-testid': 'group-room-price' }),
      error: el('p', { id: errorId, class: 'error', 'data-testid': 'group-room-error', role: 'alert', hidden: true }) };
    // The one room's form, for this room: re-priced once the guest stops changing it.
    const form = extrasView({ language, t, money, chosen: slot.additions, ids: `g${index}-`, group: true,
      changed: () => {
        slot.busy = holdButton.disabled = true;
        clearTimeout(slot.timer);
        slot.timer = setTimeout(() => price(slot), 300);
      } });
    form.draw(offered, questions, guests);
    slot.item = el('li', { class: 'room', 'data-testid': 'group-room', 'data-slug': room.room_type },
      el('div', { class: 'room-body' }, el('h4', { text: name }), slot.plans, form.section,
        slot.price, slot.error));
    return slot;
  }

  return {
    section,
    /** Shows the rooms to choose for, priced under the first plan (the one the ways and the
     * counted rooms were priced with) until the guest picks another.
     * @param {GroupRoom[]} rooms @param {{check_in: string, check_out: string}} wanted */
    open(rooms, wanted) {
      stay = { check_in: wanted.check_in, check_out: wanted.check_out };
      this.close();
      slots = rooms.map(slotFor);
      list.replaceChildren(...slots.map((s) => s.item));
      terms.textContent = '';
      section.hidden = false;
      slots.forEach(drawSlot);
      slots.forEach(price);
      heading.focus();
    },
    close() {
      for (const slot of slots) clearTimeout(slot.timer);
      slots = [];
      section.hidden = true;
    },
    /** The hold refused one room's choice (a plan that cannot be paid as the others are,
     * 422 naming `rooms[N].rate_plan`): say so at that room. @param {unknown} error
     * @returns {boolean} whether a room was named */
    refused(error) {
      const index = error instanceof ApiError ? roomNamed(error.body.field) : null;
      const slot = index === null ? undefined : slots[index];
      if (!slot || !(error instanceof Error)) return false;
      slot.error.textContent = error.message;
      slot.error.hidden = false;
      /** @type {HTMLElement | null} */ (slot.plans.querySelector('[aria-pressed="true"]'))?.focus();
      return true;
    },
  };
}
