// @ts-check
/* Money, dates and sentences as the guest reads them, in the widget's language. */

import { addDays, toDate } from './dates.js';

/** Amounts are integers of the currency's minor unit; `exponent` is how many digits the
 * minor unit has (2 for EUR, 0 for JPY), as the service says: never guessed here.
 * `compact` leaves out a zero fraction (the calendar's "€120" rather than "€120.00").
 * @param {string} language @param {number} amount @param {string} currency
 * @param {number} exponent @param {boolean} [compact] */
export function formatMoney(language, amount, currency, exponent, compact) {
  if (!Number.isInteger(amount)) throw new TypeError(`not minor units: ${amount}`);
  const unit = 10 ** exponent;
  const digits = compact && amount % unit === 0 ? 0 : exponent;
  return numberFormat(language, {
    style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(amount / unit);
}

/** A property's local day; formatted as a UTC day, never shifted by the browser's zone.
 * @param {string} language @param {string} date @param {Intl.DateTimeFormatOptions} options */
export const formatDate = (language, date, options) =>
  dateFormat(language, { timeZone: 'UTC', ...options }).format(toDate(date));

/* Formatters are made once per language and options: making one costs about half a
 * millisecond, and a calendar's first draw formats a few hundred prices and dates. */
/** @type {Map<string, Intl.NumberFormat>} */
const numberFormats = new Map();
/** @type {Map<string, Intl.DateTimeFormat>} */
const dateFormats = new Map();

/** @param {string} language @param {Intl.NumberFormatOptions} options */
function numberFormat(language, options) {
  const key = language + JSON.stringify(options);
  let made = numberFormats.get(key);
  if (!made) numberFormats.set(key, (made = new Intl.NumberFormat(language, options)));
  return made;
}

/** @param {string} language @param {Intl.DateTimeFormatOptions} options */
function dateFormat(language, options) {
  const key = language + JSON.stringify(options);
  let made = dateFormats.get(key);
  if (!made) dateFormats.set(key, (made = new Intl.DateTimeFormat(language, options)));
  return made;
}

/** "Monday, 6 July 2026" in the language's own order. @param {string} language @param {string} date */
export const longDate = (language, date) =>
  formatDate(language, date, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** "Mon, 6 Jul". @param {string} language @param {string} date */
export const shortDate = (language, date) =>
  formatDate(language, date, { weekday: 'short', day: 'numeric', month: 'short' });

/** "July 2026". @param {string} language @param {string} month */
export const monthName = (language, month) => formatDate(language, month, { month: 'long', year: 'numeric' });

/** The seven weekday names, Monday first, short and long. @param {string} language
 * @returns {[string, string][]} */
export function weekdayNames(language) {
  const monday = '2024-01-01';
  return Array.from({ length: 7 }, (_, i) => {
    const day = addDays(monday, i);
    return [formatDate(language, day, { weekday: 'short' }), formatDate(language, day, { weekday: 'long' })];
  });
}

/** A sentence from the page's catalogue with its `{placeholders}` filled; a missing one
 * stays visible rather than vanishing.
 * @param {Record<string, string>} catalogue @param {string} key
 * @param {Record<string, string | number>} [values] */
export const sentence = (catalogue, key, values) =>
  (catalogue[key] || key).replace(/\{(\w+)\}/g, (all, name) =>
    values && values[name] !== undefined ? String(values[name]) : all);

/** "mm:ss" of a hold's time left. @param {number} ms */
export function minutesSeconds(ms) {
  const left = Math.max(0, ms);
  return Math.floor(left / 60000) + ':' + String(Math.floor((left % 60000) / 1000)).padStart(2, '0');
}
