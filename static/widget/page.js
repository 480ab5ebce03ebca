// @ts-check
/* What the widget page's parts share: its configuration and language, the API and the host
 * page, the guest's choices, the calendar's months and the one alert. Everything here is
 * needed to draw the priced calendar; the checkout (booking.js) comes later and takes it
 * from here. */

import { createApi, sessionIdIn } from './api.js';
import { createCalendar, roomsOf } from './calendar.js';
import { readConfig } from './config.js';
import { addMonths } from './dates.js';
import { el } from './dom.js';
import { codeOf } from './errors.js';
import { formatMoney, longDate, sentence } from './format.js';
import { createHost } from './host.js';
import { choicesStore, guestsOf, initialChoices, partyOf } from './state.js';

export const cfg = readConfig(document);
export const place = cfg.property;
export const language = cfg.options.language;
export const today = place.today;
export const app = /** @type {HTMLElement} */ (document.getElementById('innkeep'));

/** @param {string} key @param {Record<string, string | number>} [values] */
export const t = (key, values) => sentence(cfg.messages, key, values);

/** @param {number} amount @param {string} currency @param {boolean} [compact] */
export function money(amount, currency, compact) {
  const exponent = cfg.currency_exponents[currency];
  if (exponent === undefined) throw new Error(`no exponent for ${currency} in the page's configuration`);
  return formatMoney(language, amount, currency, exponent, compact);
}
/** @param {string} date */
export const long = (date) => longDate(language, date);

let storage = null;
try {
  storage = window.sessionStorage;
} catch { /* storage is off: nothing survives a reload */ }

export const api = createApi({ session: sessionIdIn(storage), offline: t('offline') });
export const host = createHost(window, cfg.parent_origin);
const store = choicesStore(storage, 'innkeep:' + place.slug + ':' + cfg.widget_id);
export const biggest = Math.max(1, ...place.room_types.map((r) => r.max_guests));
export const maxRooms = place.max_rooms_per_booking || 4;
// A party no one room sleeps books several rooms together.
export const maxGuests = biggest * maxRooms;
export const choices = initialChoices(store.load(), cfg.options, maxGuests, today);
export const calendar = createCalendar(async (month, party, revalidate) => {
  // For a group, the nights any room is free (and a room's price from).
  if (guestsOf(party) > biggest) party = { adults: 1, children: [] };
  const params = new URLSearchParams({ start: month, end: addMonths(month, 1), adults: String(party.adults) });
  if (party.children.length) params.set('children', party.children.join(','));
  return roomsOf(await api.calendar(place.slug, params, revalidate), cfg.options.room_type);
});
// The months the page carried (fresh when it was rendered) are drawn without a request.
for (const [month, answer] of Object.entries(cfg.first_months?.months || {})) {
  calendar.seed(month, /** @type {import('./config.js').FirstMonths} */ (cfg.first_months), roomsOf(answer, cfg.options.room_type));
}


export const save = () => store.save(choices);
/** @param {string} date */
export const nightsOn = (date) => calendar.nightsOn(date, partyOf(choices));

/* ---------------------------------------------------------------- the one alert */

export const errorBox = el('div', { 'data-testid': 'error', role: 'alert', class: 'error', hidden: true });

/** @param {string} text */
function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}
export const clearError = () => showError('');

/** Puts the one alert where the guest is looking, says it, and tells the host page.
 * @param {HTMLElement} section @param {string} text @param {string} code */
export function errorIn(section, text, code) {
  section.prepend(errorBox);
  showError(text);
  host.emit('error', { code, message: text });
}

/** @param {HTMLElement} section @param {unknown} error @param {boolean} [aboutHold] */
export function failureIn(section, error, aboutHold) {
  errorIn(section, error instanceof Error && error.message ? error.message : t('offline'), codeOf(error, aboutHold));
}
