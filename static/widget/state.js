// @ts-check
/* What the guest chose and typed: the party, the stay, the details. It survives going
 * back and forth and a reload of the page (sessionStorage, this tab only). */

import { monthOf } from './dates.js';

/** @typedef {{name: string, email: string, phone: string, note: string}} Guest */
/** @typedef {{adults: number, children: (number | null)[], checkIn: string | null,
 *   checkOut: string | null, month: string, focus: string, guest: Guest, accept: boolean}} Choices */

/** An integer within [low, high]; `low` for anything that is not a number.
 * @param {unknown} value @param {number} low @param {number} high */
export function clamp(value, low, high) {
  const n = parseInt(String(value), 10);
  return isNaN(n) ? low : Math.min(high, Math.max(low, n));
}

/** How many guests a party is. @param {{adults: number, children: unknown[]}} party */
export const guestsOf = (party) => party.adults + party.children.length;

/** @returns {Guest} */
export const noGuest = () => ({ name: '', email: '', phone: '', note: '' });

/** The choices a page starts with: what this tab saved, else the page's options.
 * @param {Partial<Choices>} saved @param {{adults: number | null, children: number[]}} options
 * @param {number} maxGuests @param {string} today @returns {Choices} */
export function initialChoices(saved, options, maxGuests, today) {
  let checkIn = typeof saved.checkIn === 'string' ? saved.checkIn : null;
  let checkOut = typeof saved.checkOut === 'string' ? saved.checkOut : null;
  if (checkIn && checkIn < today) checkIn = checkOut = null;
  return {
    adults: clamp(saved.adults || options.adults || Math.min(2, maxGuests), 1, maxGuests),
    children: Array.isArray(saved.children) ? saved.children : options.children.slice(),
    checkIn,
    checkOut,
    month: monthOf(checkIn || today),
    focus: checkIn || today,
    guest: { ...noGuest(), ...saved.guest },
    accept: !!saved.accept,
  };
}

/** The first child whose age is not given yet, or -1. @param {Choices} choices */
export const ageMissing = (choices) =>
  choices.children.findIndex((age) => age === null || age === undefined);

/** The party as the API takes it (ages all given). @param {Choices} choices */
export const partyOf = (choices) => ({ adults: choices.adults, children: /** @type {number[]} */ (choices.children) });

/** Where a tab keeps one widget's choices. @param {Storage | null} storage @param {string} key */
export function choicesStore(storage, key) {
  return {
    /** @returns {Partial<Choices>} */
    load() {
      try {
        return JSON.parse((storage && storage.getItem(key)) || '{}') || {};
      } catch {
        return {};
      }
    },
    /** @param {Choices} c */
    save(c) {
      try {
        storage?.setItem(key, JSON.stringify({ adults: c.adults, children: c.children,
          checkIn: c.checkIn, checkOut: c.checkOut, guest: c.guest, accept: c.accept }));
      } catch { /* storage may be off: the page still works */ }
    },
  };
}
