// @ts-check
/* The guest's details, the cancellation policy, the payment form and the hold's countdown;
 * then the confirmation. */

import { paidOnline } from './api.js';
import { el } from './dom.js';
import { longDate, shortDate } from './format.js';
import { roomsList, typeName } from './group-view.js';
import { cancellationLine, nameIn, roomPolicies, termsLine } from './plans.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./api.js').Booking} Booking */
/** @typedef {import('./state.js').Choices} Choices */
/** @typedef {import('./config.js').Place} Place */
/** @typedef {import('./plans.js').RatePlan} RatePlan */
/** @typedef {(key: string, values?: Record<string, string | number>) => string} Sentences */

/** A loose pre-check only (something@something): the server's rule decides.
 * @param {string} email */
export const looksLikeEmail = (email) => /^[^@\s]+@[^@\s]+$/.test(email.trim());

/** A cancellation policy in one sentence: the property's wording for free cancellation,
 * else the plan's one line. @param {Sentences} t
 * @param {import('./plans.js').Policy} terms */
const policyIn = (t, terms) => (terms.free_cancellation === false
  ? t(cancellationLine(terms).key, cancellationLine(terms).values)
  : t(terms.refund_percent ? 'policy_free' : 'policy_no_refund',
    { days: terms.free_until_days, percent: terms.refund_percent }));

/** @param {{language: string, t: Sentences, money: (amount: number, currency: string) => string,
 *   place: Place, choices: Choices, saved: () => void, pay: () => void}} view */
export function checkoutView({ language, t, money, place, choices, saved, pay }) {
  const countdown = el('p', { class: 'countdown', 'data-testid': 'countdown', role: 'timer', 'aria-live': 'off' });
  /** @param {'name' | 'email' | 'phone' | 'note'} name @param {string | null} type
   * @param {string} autocomplete @param {boolean} required */
  const field = (name, type, autocomplete, required) => {
    const input = el(name === 'note' ? 'textarea' : 'input', {
      id: 'guest-' + name, name, type: name === 'note' ? null : type, autocomplete,
      'data-testid': 'guest-' + name, required, rows: name === 'note' ? 2 : null,
      oninput: (/** @type {Event} */ e) => {
        const target = /** @type {HTMLInputElement} */ (e.target);
        choices.guest[name] = target.value;
        target.removeAttribute('aria-invalid');
        saved();
      },
    });
    input.value = choices.guest[name] || '';
    return el('label', { for: 'guest-' + name, class: 'field' }, el('span', { text: t('guest_' + name) }), input);
  };
  const accept = el('input', { type: 'checkbox', id: 'accept', 'data-testid': 'accept-policy', required: true,
    onchange: (/** @type {Event} */ e) => {
      const target = /** @type {HTMLInputElement} */ (e.target);
      choices.accept = target.checked;
      target.removeAttribute('aria-invalid');
      saved();
    } });
  accept.checked = choices.accept;
  const policy = el('p', { class: 'policy', 'data-testid': 'policy' });
  // Paid at the property with the card kept against a no-show: what the guest allows.
  const guarantee = el('p', { class: 'consent', 'data-testid': 'guarantee', hidden: true });
  const payButton = el('button', { type: 'submit', class: 'primary', 'data-testid': 'pay' });
  // What the guest allows by paying a deposit: the balance charged later without them.
  const consent = el('p', { class: 'consent', 'data-testid': 'balance-consent', hidden: true });
  const paymentBox = el('div', { class: 'payment', id: 'payment' });
  const heading = el('h2', { id: 'details-h', tabindex: '-1', text: t('details') });
  const summary = el('div', { class: 'summary' });
  const form = el('form', { novalidate: true, onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); pay(); } },
    field('name', 'text', 'name', true),
    field('email', 'email', 'email', true),
    field('phone', 'tel', 'tel', false),
    field('note', null, 'off', false),
    policy,
    el('label', { for: 'accept', class: 'check' }, accept, el('span', { text: t('accept_policy') })),
    guarantee,
    paymentBox,
    consent,
    payButton);
  const section = el('section', { class: 'checkout', 'aria-labelledby': 'details-h', hidden: true },
    heading, summary, countdown, form);

  /** @param {import('./plans.js').Policy} terms */
  const policyText = (terms) => policyIn(t, terms);
  /** @param {Quote} q */
  const roomName = (q) => place.room_types.find((r) => r.slug === q.room_type)?.name || q.room_type;

  return {
    section,
    heading,
    paymentBox,
    /** Shows the details form for the held quote, sold under `plan` (none: the property
     * sells no plans); for several rooms, what they cost together, and `rooms` each.
     * @param {Quote} q @param {RatePlan | null} plan
     * @param {import('./group-view.js').ListedRoom[] | null} [rooms] */
    open(q, plan, rooms) {
      const shared = !rooms || rooms.every((r) => r.rate_plan === rooms[0].rate_plan);
      summary.replaceChildren(...[el('p', {}, el('strong', { text: rooms ? t('n_rooms', { n: rooms.length }) : roomName(q) }),
        ' · ' + t(q.nights.length === 1 ? 'one_night' : 'selected', { nights: q.nights.length,
          check_in: longDate(language, q.check_in), check_out: longDate(language, q.check_out) })),
      rooms ? roomsList({ 'data-testid': 'group-rooms' }, rooms, q.currency, { language, t, money, place }) : null,
      rooms ? el('p', { text: t('total') + ': ' + money(q.total, q.currency) }) : null,
      // A group on several plans names each room's with the room (roomsList), not one here.
      plan && shared ? el('p', { 'data-testid': 'chosen-plan' }, el('strong', { text: nameIn(plan.names, language, plan.slug) }),
        ' · ' + t(cancellationLine(plan.cancellation_policy).key, cancellationLine(plan.cancellation_policy).values)) : null,
      el('p', { 'data-testid': 'payment-terms', text: termsLine(q, t, (n) => money(n, q.currency), (d) => shortDate(language, d)) }),
      ].filter((p) => p !== null));
      // Each room is cancelled under its own plan's terms: one line if they share them.
      const lines = rooms
        ? roomPolicies(rooms.map((r) => r.rate_plan), place.rate_plans || [], place.cancellation_policy)
        : [{ room: null, policy: plan ? plan.cancellation_policy : place.cancellation_policy }];
      policy.replaceChildren(...lines.map(({ room, policy: terms }) => el('span', { class: 'room-policy',
        'data-testid': 'room-policy', 'data-room': room === null ? '' : room,
        text: (room === null || !rooms ? '' : t('room_n', { n: room + 1 }) + ' ('
          + typeName(place, rooms[room].room_type) + '): ') + policyText(terms) })));
      guarantee.hidden = !plan?.card_guarantee;
      guarantee.textContent = plan?.card_guarantee ? t('guarantee_consent', { property: place.name }) : '';
      this.payable(q);
      section.hidden = false;
    },
    /** The pay button, ready. @param {Quote} q */
    payable(q) {
      payButton.textContent = q.pay_at_property ? t('book_pay_later')
        : t('pay', { amount: money(q.due_now, q.currency) });
      const schedule = q.payment_schedule || [];
      const balance = schedule.length > 1 ? schedule[schedule.length - 1] : null;
      consent.hidden = !balance;
      consent.textContent = balance ? t('balance_consent', { property: place.name,
        amount: money(balance.amount, q.currency), date: longDate(language, balance.due) }) : '';
      payButton.disabled = false;
    },
    paying() {
      payButton.disabled = true;
      payButton.textContent = t('paying');
    },
    /** @param {string} text @param {boolean} urgent */
    countdown(text, urgent) {
      countdown.textContent = text;
      countdown.classList.toggle('urgent', urgent);
    },
    /** The first field the guest still has to fill, and what to tell them; null when none.
     * @returns {[HTMLElement, string] | null} */
    missing() {
      /** @type {['name' | 'email', string][]} */
      const checks = [['name', 'guest_name'], ['email', 'guest_email']];
      for (const [name, label] of checks) {
        const input = /** @type {HTMLInputElement} */ (form.querySelector('#guest-' + name));
        const bad = !input.value.trim() || (name === 'email' && !looksLikeEmail(input.value));
        if (bad) return [input, t('fill_field', { field: t(label) })];
      }
      if (!accept.checked) return [accept, t('fill_field', { field: t('accept_policy') })];
      return null;
    },
    /** The server named a guest field (`guest.email`): point the guest at it.
     * @param {unknown} name */
    markField(name) {
      const input = typeof name === 'string' && name.startsWith('guest.')
        ? /** @type {HTMLElement | null} */ (form.querySelector('#guest-' + name.slice('guest.'.length))) : null;
      if (!input) return;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    },
  };
}

/** @param {{language: string, t: Sentences, money: (amount: number, currency: string) => string,
 *   place: Place}} view */
export function confirmationView({ language, t, money, place }) {
  const section = el('section', { class: 'done', 'data-testid': 'confirmation', hidden: true,
    'aria-labelledby': 'done-h' });
  return {
    section,
    /** @param {Booking} booking @param {Quote} q @param {string} email */
    show(booking, q, email) {
      const room = place.room_types.find((r) => r.slug === q.room_type);
      const plan = (place.rate_plans || []).find((p) => p.slug === q.rate_plan);
      const heading = el('h2', { id: 'done-h', tabindex: '-1', text: t('confirmed') });
      const booked = (booking.rooms || []).filter((r) => r.status !== 'cancelled');
      const rest = q.total - paidOnline(q);
      const atProperty = rest > 0 ? ' · ' + t('pay_at_property') + ': ' + money(rest, q.currency) : '';
      section.replaceChildren(heading,
        el('p', {}, t('reference') + ': ', el('strong', { 'data-testid': 'booking-reference', text: booking.reference })),
        el('p', {}, el('strong', { text: booked.length > 1 ? t('n_rooms', { n: booked.length }) : room ? room.name : q.room_type }),
          plan && booked.length < 2 ? ' · ' + nameIn(plan.names, language, plan.slug) : '',
          ' · ' + longDate(language, q.check_in) + ' – ' + longDate(language, q.check_out)),
        booked.length > 1 ? roomsList({ 'data-testid': 'booked-rooms' },
          booked.map((r) => ({ ...r, adults: r.adults || 0, total: r.total.amount })), q.currency, { language, t, money, place }) : '',
        el('p', { text: t('total') + ': ' + money(q.total, q.currency) + atProperty }),
        el('p', { 'data-testid': 'confirmation-terms',
          text: termsLine(q, t, (n) => money(n, q.currency), (d) => shortDate(language, d)) }),
        el('p', { text: t('check_in_from', { time: place.check_in_time, time_out: place.check_out_time }) }),
        el('p', { class: 'muted', text: t('confirmation_sent', { email }) }),
        // The same link as in the e-mail: view or cancel the booking (opens outside the widget).
        booking.manage_url ? el('p', {}, el('a', { href: booking.manage_url, target: '_blank', rel: 'noopener',
          'data-testid': 'manage-link', text: t('manage_booking') })) : '');
      section.hidden = false;
      heading.focus();
    },
  };
}
