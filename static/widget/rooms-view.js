// @ts-check
/* The rooms free for the stay: each with its rate plans side by side (what is included,
 * the cancellation terms in one line, the price and when it is paid), the chosen plan's
 * breakdown and a "Choose" button. */

import { paidOnline } from './api.js';
import { el } from './dom.js';
import { shortDate } from './format.js';
import { cancellationLine, nameIn, nightRules, noteIn, termsLine } from './plans.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./config.js').RoomType} RoomType */
/** @typedef {import('./plans.js').RatePlan} RatePlan */
/** A room free for the stay: its quote under each plan, and the one the guest looks at.
 * @typedef {{quotes: Quote[], chosen: Quote}} Offer */

/** A plan as offered for a room, beside the others: its name, what it includes, the
 * cancellation terms in one line, the price and when it is paid; pressed to pick it.
 * @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   money: (amount: number, currency: string) => string, plans: RatePlan[]}} view
 * @param {Quote} quote @param {(quote: Quote) => void} pick */
export function planButton({ language, t, money, plans }, quote, pick) {
  const plan = plans.find((p) => p.slug === quote.rate_plan);
  const title = plan ? nameIn(plan.names, language, plan.slug) : String(quote.rate_plan);
  const included = plan ? nameIn(plan.included, language, '') : '';
  const terms = plan ? cancellationLine(plan.cancellation_policy) : null;
  const c = quote.currency;
  // Named by what it shows (name, terms, price); its group names the room.
  return el('button', { type: 'button', class: 'plan', 'data-testid': 'plan', 'data-slug': String(quote.rate_plan),
    onclick: () => pick(quote) },
  el('strong', { text: title }),
  included ? el('span', { class: 'included', text: t('plan_includes', { what: included }) }) : null,
  terms ? el('span', { class: 'terms', text: t(terms.key, terms.values) }) : null,
  el('span', { class: 'amount', 'data-testid': 'plan-price', text: money(quote.total, c) }),
  el('span', { class: 'muted', 'data-testid': 'plan-terms',
    text: termsLine(quote, t, (n) => money(n, c), (d) => shortDate(language, d)) }));
}

/** @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   money: (amount: number, currency: string) => string, roomTypes: RoomType[],
 *   plans: RatePlan[], label: (rule: string) => string | null,
 *   choose: (quote: Quote) => void, pickPlan: (quote: Quote) => void}} view */
export function roomsView({ language, t, money, roomTypes, plans, label, choose, pickPlan }) {
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
    /** @param {string} rule */
    const named = (rule) => label(rule) || rule.replace(/[_-]/g, ' ');
    const ruleRows = nightRules(quote, language).map((e) =>
      row(named(e.rule), (e.amount > 0 && e.stage !== 'base' ? '+' : '') + money(e.amount, c), e.note, 'rule'));
    const nightRows = quote.nights.map((n) =>
      row(t('night_of', { date: shortDate(language, n.date) }), money(n.amount, c), null, 'night-row'));
    const stayRows = quote.stay_lines.map((l) => row(named(l.rule),
      l.included ? money(l.amount, c) + ' (' + t('included') + ')' : money(l.amount, c),
      noteIn(l, language) + (l.payable === 'at_property' ? ' · ' + t('pay_at_property') : ''), 'rule'));
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

  /** @param {Quote} quote */
  const planOption = (quote) => planButton({ language, t, money, plans }, quote, pickPlan);

  /** @param {Offer} offer @param {string} name @param {Quote | null} held the room's held quote */
  function planChoice(offer, name, held) {
    if (offer.quotes.length < 2 && !offer.quotes[0]?.rate_plan) return null;
    const group = el('div', { class: 'plans', role: 'group', 'aria-label': t('plans_for', { room: name }) },
      ...offer.quotes.map(planOption));
    for (const button of group.querySelectorAll('button')) {
      const pressed = button.dataset.slug === String(offer.chosen.rate_plan);
      button.setAttribute('aria-pressed', String(pressed));
      // Marked once the hold is under this plan (a plan just picked is being held again).
      if (pressed && held && String(held.rate_plan) === button.dataset.slug) button.classList.add('held');
    }
    return group;
  }

  /** @param {Offer} offer @param {Quote | null} held */
  function room(offer, held) {
    const quote = offer.chosen;
    const chosen = held !== null;
    const type = roomTypes.find((r) => r.slug === quote.room_type);
    const name = type ? type.name : quote.room_type;
    const photo = type?.photos[0];
    const label = chosen ? t('chosen') : t('choose');
    return el('li', { class: 'room' + (chosen ? ' chosen' : ''), 'data-testid': 'room-type', 'data-slug': quote.room_type },
      photo ? el('img', { src: photo.url, alt: photo.alt || '', width: 320, height: 200, loading: 'lazy' }) : null,
      el('div', { class: 'room-body' },
        el('h3', { text: name }),
        type ? el('p', { class: 'muted', text: t('sleeps', { n: type.max_guests }) }) : null,
        // In the guest's language when the owner wrote it, else in the property's.
        type ? el('p', { text: type.descriptions?.[language] || type.description }) : null,
        planChoice(offer, name, held),
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

  /** Where the guest's focus and open breakdowns were, to find them again after a redraw
   * (a plan picked by keyboard must keep the focus on it). */
  function remembered() {
    const active = document.activeElement;
    const inRoom = active && list.contains(active) ? active.closest('[data-testid=room-type]') : null;
    const focus = inRoom && active instanceof HTMLElement
      ? `[data-slug="${inRoom.getAttribute('data-slug')}"] [data-testid="${active.dataset.testid}"]`
        + (active.dataset.slug ? `[data-slug="${active.dataset.slug}"]` : '') : null;
    const open = [...list.querySelectorAll('[data-testid=room-type]')]
      .filter((r) => r.querySelector('details')?.open).map((r) => r.getAttribute('data-slug'));
    return () => {
      for (const slug of open) {
        const details = list.querySelector(`[data-slug="${slug}"] details`);
        if (details) /** @type {HTMLDetailsElement} */ (details).open = true;
      }
      if (focus) /** @type {HTMLElement | null} */ (list.querySelector(focus))?.focus();
    };
  }

  return {
    section,
    heading,
    loading() {
      section.hidden = false;
      list.replaceChildren(el('li', { class: 'loading', text: t('loading') }));
    },
    /** @param {Offer[]} offers @param {Quote | null} held the quote held for the guest */
    draw(offers, held) {
      if (!offers.length) {
        list.replaceChildren(el('li', { class: 'empty', text: t('no_rooms') }));
        return;
      }
      const restore = remembered();
      const room_ = (/** @type {Offer} */ o) => order.indexOf(o.chosen.room_type);
      const sorted = offers.slice().sort((a, b) => room_(a) - room_(b));
      list.replaceChildren(...sorted.map((o) => room(o, o.chosen.room_type === held?.room_type ? held : null)));
      restore();
    },
  };
}
