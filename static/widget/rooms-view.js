// @ts-check
/* The rooms free for the stay, each priced with its breakdown and a "Choose" button. */

import { paidOnline } from './api.js';
import { el } from './dom.js';
import { shortDate } from './format.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./config.js').RoomType} RoomType */

/** @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   money: (amount: number, currency: string) => string, roomTypes: RoomType[],
 *   choose: (quote: Quote) => void}} view */
export function roomsView({ language, t, money, roomTypes, choose }) {
  const list = el('ul', { class: 'rooms-list' });
  const heading = el('h2', { id: 'rooms-h', tabindex: '-1', text: t('rooms') });
  const section = el('section', { class: 'rooms', 'aria-labelledby': 'rooms-h', hidden: true },
    heading, list);
  const order = roomTypes.map((r) => r.slug);

  /** @param {string} label @param {string} amount @param {string | null} note @param {string} kind */
  const row = (label, amount, note, kind) => el('tr', { class: kind },
    el('th', { scope: 'row' }, label, note ? el('small', { text: note }) : null),
    el('td', { text: amount }));

  /** Each rule's effect over the stay, each night, and what is paid now or at the property.
   * @param {Quote} quote */
  function breakdown(quote) {
    const c = quote.currency;
    /** @type {Map<string, {amount: number, note: string, stage: string}>} */
    const byRule = new Map();
    for (const night of quote.nights) {
      for (const line of night.lines) {
        const entry = byRule.get(line.rule) || { amount: 0, note: line.note, stage: line.stage };
        entry.amount += line.amount;
        byRule.set(line.rule, entry);
      }
    }
    /** @param {string} rule */
    const named = (rule) => rule.replace(/[_-]/g, ' ');
    const ruleRows = [...byRule.entries()].filter(([, e]) => e.amount !== 0).map(([rule, e]) =>
      row(named(rule), (e.amount > 0 && e.stage !== 'base' ? '+' : '') + money(e.amount, c), e.note, 'rule'));
    const nightRows = quote.nights.map((n) =>
      row(t('night_of', { date: shortDate(language, n.date) }), money(n.amount, c), null, 'night-row'));
    const stayRows = quote.stay_lines.map((l) => row(named(l.rule),
      l.included ? money(l.amount, c) + ' (' + t('included') + ')' : money(l.amount, c),
      l.note + (l.payable === 'at_property' ? ' · ' + t('pay_at_property') : ''), 'rule'));
    const atProperty = quote.total - paidOnline(quote);
    const later = (quote.payment_schedule || []).slice(1).map((part) =>
      row(t('pay_later', { date: shortDate(language, part.due) }), money(part.amount, c), null, 'sum'));
    return el('details', { class: 'breakdown', 'data-testid': 'breakdown' },
      el('summary', { text: t('breakdown') }),
      el('table', {}, el('tbody', {}, ...ruleRows, ...nightRows, ...stayRows,
        row(t('total'), money(quote.total, c), null, 'sum'),
        row(t('pay_now'), money(quote.due_now, c), null, 'sum'),
        ...later,
        atProperty ? row(t('pay_at_property'), money(atProperty, c), null, 'sum') : null)));
  }

  /** @param {Quote} quote @param {boolean} chosen */
  function room(quote, chosen) {
    const type = roomTypes.find((r) => r.slug === quote.room_type);
    const name = type ? type.name : quote.room_type;
    const photo = type?.photos[0];
    const label = chosen ? t('chosen') : t('choose');
    return el('li', { class: 'room' + (chosen ? ' chosen' : ''), 'data-testid': 'room-type', 'data-slug': quote.room_type },
      photo ? el('img', { src: photo.url, alt: photo.alt || '', width: 320, height: 200, loading: 'lazy' }) : null,
      el('div', { class: 'room-body' },
        el('h3', { text: name }),
        type ? el('p', { class: 'muted', text: t('sleeps', { n: type.max_guests }) }) : null,
        type ? el('p', { text: type.description }) : null,
        el('p', { class: 'total' },
          el('span', { class: 'amount', 'data-testid': 'total', text: money(quote.total, quote.currency) }),
          el('span', { class: 'muted', text: ' · ' + t('per_night',
            { price: money(Math.round(quote.total / quote.nights.length), quote.currency) }) })),
        breakdown(quote),
        el('button', {
          type: 'button', class: 'primary', 'data-testid': 'choose', 'aria-pressed': chosen ? 'true' : 'false',
          text: label, 'aria-label': label + ': ' + name, onclick: () => choose(quote),
        })));
  }

  return {
    section,
    heading,
    loading() {
      section.hidden = false;
      list.replaceChildren(el('li', { class: 'loading', text: t('loading') }));
    },
    /** @param {Quote[]} quotes @param {string | null} held the room type held for the guest */
    draw(quotes, held) {
      if (!quotes.length) {
        list.replaceChildren(el('li', { class: 'empty', text: t('no_rooms') }));
        return;
      }
      const sorted = quotes.slice().sort((a, b) => order.indexOf(a.room_type) - order.indexOf(b.room_type));
      list.replaceChildren(...sorted.map((q) => room(q, q.room_type === held)));
    },
  };
}
