// @ts-check
/* Calendar arithmetic on the property's local dates, written `YYYY-MM-DD`. They are days,
 * not instants: every computation runs on UTC midnights, so the browser's own time zone and
 * its daylight-saving changes never shift a night. */

const DAY = 864e5;

/** @param {string} date a `YYYY-MM-DD` day */
export const toDate = (date) => new Date(date + 'T00:00:00Z');

/** @param {Date} day */
export const iso = (day) => day.toISOString().slice(0, 10);

/** @param {unknown} value @returns {value is string} */
export const isDate = (value) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && iso(toDate(value)) === value;

/** @param {string} date @param {number} n */
export const addDays = (date, n) => iso(new Date(toDate(date).getTime() + n * DAY));

/** The first day of `date`'s month. @param {string} date */
export const monthOf = (date) => date.slice(0, 8) + '01';

/** The first day of the month `n` months after `date`'s. @param {string} date @param {number} n */
export function addMonths(date, n) {
  const day = toDate(monthOf(date));
  day.setUTCMonth(day.getUTCMonth() + n);
  return iso(day);
}

/** Nights from arrival `a` to departure `b`. @param {string} a @param {string} b */
export const nightsBetween = (a, b) => Math.round((toDate(b).getTime() - toDate(a).getTime()) / DAY);

/** Days in `date`'s month. @param {string} date */
export const monthLength = (date) => nightsBetween(monthOf(date), addMonths(date, 1));

/** 0 for Monday … 6 for Sunday: our weeks start on Monday. @param {string} date */
export const weekday = (date) => (toDate(date).getUTCDay() + 6) % 7;

/** Every day of a stay's nights, arrival included, departure not.
 * @param {string} checkIn @param {string} checkOut @returns {string[]} */
export function nightsOf(checkIn, checkOut) {
  const nights = [];
  for (let d = checkIn; d < checkOut; d = addDays(d, 1)) nights.push(d);
  return nights;
}

/** A month as weeks of days (null where a week runs into the month before or after).
 * @param {string} month @returns {(string | null)[][]} */
export function weeksOf(month) {
  const first = monthOf(month);
  const days = [...Array(weekday(first)).fill(null)];
  for (let i = 0; i < monthLength(first); i++) days.push(addDays(first, i));
  while (days.length % 7) days.push(null);
  const weeks = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

/** Where a key moves the calendar grid's focus (WAI-ARIA date grid): arrows by day and
 * week, Home/End to the week's ends, PageUp/PageDown by month on the same day (or the
 * month's last). Null for any other key.
 * @param {string} date @param {string} key @returns {string | null} */
export function gridMove(date, key) {
  /** @type {Record<string, number>} */
  const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  if (key in moves) return addDays(date, moves[key]);
  if (key === 'Home') return addDays(date, -weekday(date));
  if (key === 'End') return addDays(date, 6 - weekday(date));
  if (key === 'PageUp' || key === 'PageDown') {
    const target = addMonths(date, key === 'PageUp' ? -1 : 1);
    return addDays(target, Math.min(+date.slice(8), monthLength(target)) - 1);
  }
  return null;
}
