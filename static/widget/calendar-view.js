// @ts-check
/* The two months on screen as a WAI-ARIA date grid, the month buttons and the status line
 * under them. It draws what it is given and reports the guest's picks and moves. */

import { dayState } from './calendar.js';
import { addMonths, monthOf, weeksOf } from './dates.js';
import { el } from './dom.js';
import { longDate, monthName, weekdayNames } from './format.js';

/** @typedef {import('./calendar.js').NightsOn} NightsOn */
/** @typedef {{month: string, focus: string, today: string, checkIn: string | null,
 *   checkOut: string | null, nightsOn: NightsOn}} Shown */

/** @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   price: (money: import('./api.js').Money) => string,
 *   pick: (date: string, byKeyboard: boolean) => void,
 *   key: (e: KeyboardEvent) => void, showMonth: (step: number) => void}} view */
export function calendarView({ language, t, price, pick, key, showMonth }) {
  const weekdays = weekdayNames(language);
  const prev = el('button', { type: 'button', class: 'nav', 'data-testid': 'prev-month',
    'aria-label': t('prev_month'), text: '‹', onclick: () => showMonth(-1) });
  const next = el('button', { type: 'button', class: 'nav', 'data-testid': 'next-month',
    'aria-label': t('next_month'), text: '›', onclick: () => showMonth(1) });
  const months = el('div', { class: 'months', 'data-testid': 'calendar' });
  const status = el('p', { class: 'status', 'data-testid': 'stay-status', 'aria-live': 'polite' });
  const section = el('section', { class: 'dates', 'aria-labelledby': 'dates-h' },
    el('div', { class: 'dates-head' }, el('h2', { id: 'dates-h', text: t('calendar') }),
      el('div', { class: 'navs' }, prev, next)),
    months, status);

  /** @param {Shown} shown @param {string} date */
  function night(shown, date) {
    const state = dayState(shown.nightsOn, date, shown.today, shown.checkIn, shown.checkOut);
    const info = state.arrival.loading ? null : state.arrival;
    const { checkIn, checkOut } = shown;
    const selected = !!checkIn && (date === checkIn || (!!checkOut && date >= checkIn && date <= checkOut));
    const classes = ['night'];
    if (info?.past) classes.push('past');
    if (info?.soldOut && !info.past) classes.push('sold-out');
    if (info?.noArrival) classes.push('no-arrival');
    if (selected) classes.push('selected');
    if (date === checkIn) classes.push('start');
    if (date === checkOut) classes.push('end');
    if (state.departure) classes.push('can-leave');
    const amount = info && !info.past && !info.soldOut && info.price ? price(info.price) : '';
    const label = state.label ? t(state.label) : '';
    const spoken = [longDate(language, date)];
    if (amount) spoken.push(t('from_price', { price: amount }));
    if (label) spoken.push(label);
    return el('td', {
      role: 'gridcell', class: classes.join(' '), 'data-testid': 'night', 'data-date': date,
      tabindex: date === shown.focus ? '0' : '-1', 'aria-selected': selected ? 'true' : 'false',
      'aria-disabled': state.enabled ? null : 'true', 'aria-label': spoken.join(', '),
      onclick: () => { if (state.enabled) pick(date, false); },
      onkeydown: key,
    },
    el('span', { class: 'day', 'aria-hidden': 'true', text: String(+date.slice(8)) }),
    el('span', { class: 'price', 'aria-hidden': 'true', text: amount || (info?.past ? '' : label) }));
  }

  /** @param {Shown} shown @param {string} month @param {number} index */
  function table(shown, month, index) {
    const captionId = 'month-' + index;
    return el('table', { role: 'grid', 'aria-labelledby': captionId, class: 'month' },
      el('caption', { id: captionId, text: monthName(language, month) }),
      el('thead', {}, el('tr', {}, ...weekdays.map(([short, long]) =>
        el('th', { scope: 'col', abbr: long }, el('span', { 'aria-hidden': 'true', text: short }),
          el('span', { class: 'sr', text: long }))))),
      el('tbody', {}, ...weeksOf(month).map((week) => el('tr', {}, ...week.map((date) =>
        date ? night(shown, date) : el('td', { role: 'presentation' }))))));
  }

  /** @param {string} date */
  const cellOf = (date) => /** @type {HTMLElement | null} */ (months.querySelector(`[data-date="${date}"]`));

  return {
    section,
    /** @param {Shown} shown @param {boolean} focusGrid */
    draw(shown, focusGrid) {
      months.replaceChildren(table(shown, shown.month, 0), table(shown, addMonths(shown.month, 1), 1));
      prev.disabled = shown.month <= monthOf(shown.today);
      if (focusGrid) cellOf(shown.focus)?.focus();
    },
    /** Moves the grid's one tab stop to `date`, shown already. @param {string} date */
    focus(date) {
      months.querySelectorAll('[tabindex="0"]').forEach((c) => c.setAttribute('tabindex', '-1'));
      const cell = cellOf(date);
      cell?.setAttribute('tabindex', '0');
      cell?.focus();
    },
    /** @param {string} text @param {boolean} warn */
    status(text, warn) {
      status.textContent = text;
      status.classList.toggle('warn', warn);
    },
  };
}
