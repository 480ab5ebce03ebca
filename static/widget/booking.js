// @ts-check
/* The guest's way from a chosen stay to a booking: the rooms free and their prices under each
 * plan, extras and questions, the hold and its countdown, the guest's details and the
 * payment. Not needed to draw the priced calendar: the page asks for this module and those
 * only it imports after its first paint (main.js, widget/api/page_assets.py). */

import { stayCheck } from './calendar.js';
import { CHOOSING, holdOf, step } from './checkout.js';
import { checkoutView, confirmationView } from './checkout-view.js';
import { ApiError, outcomeOf } from './errors.js';
import { extrasView } from './extras-view.js';
import { minutesSeconds } from './format.js';
import { heldQuote, isGroup, roomsKey } from './group.js';
import { groupView } from './group-view.js';
import { api, app, biggest, calendar, cfg, choices, clearError, errorBox, errorIn, failureIn, host, language,
  maxRooms, money, nightsOn, place, save, t } from './page.js';
import { createPayment } from './payment.js';
import { additionsFor, extrasFor, nameIn, planQuote } from './plans.js';
import { roomsView } from './rooms-view.js';
import { guestsOf, noGuest, partyOf } from './state.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./api.js').Hold} Hold */
/** @typedef {import('./checkout.js').Checkout} Checkout */
/** @typedef {import('./checkout.js').CheckoutEvent} CheckoutEvent */
/** @typedef {import('./rooms-view.js').Offer} Offer */
/** What the calendar's part lends the checkout (main.js).
 * @typedef {{drawCalendar: (focusGrid: boolean) => Promise<boolean>, party: HTMLElement,
 *   dates: HTMLElement}} CalendarPart */

const payment = createPayment({ provider: cfg.payment_provider, key: cfg.stripe_publishable_key,
  language, offline: t('offline') });
/** @type {Offer[]} the rooms free for the chosen stay, priced under each of their plans */
let offers = [];
/** @type {Map<string, string>} the plan the guest picked, by room type */
const planPicked = new Map();
/** @type {import('./plans.js').Additions} what the guest adds to the stay, as chosen */
const additions = { extras: {}, inputs: {} };
const plans = place.rate_plans || [];
/** @type {ReturnType<typeof setTimeout> | undefined} */
let repriceTimer;
/** @type {Checkout} */
let checkout = CHOOSING;
/** @type {ReturnType<typeof setInterval> | undefined} */
let countdownTimer;

/** @type {CalendarPart} set once by `startBooking`, before anything here runs */
let calendarPart;

/** @param {CheckoutEvent} event @returns {boolean} whether the event applied */
function move(event) {
  const next = step(checkout, event);
  const moved = next !== checkout;
  checkout = next;
  return moved;
}

const rooms = roomsView({ language, t, money, roomTypes: place.room_types, plans, label: ruleLabel,
  choose: takeHold, pickPlan });
const extras = extrasView({ language, t, money, chosen: additions, changed: additionsChanged });
rooms.heading.after(extras.section);
const group = groupView({ language, t, money, place, maxRooms, api, hold: takeGroup, failed: failureIn });
const details = checkoutView({ language, t, money, place, choices, saved: save, pay });
const confirmation = confirmationView({ language, t, money, place });

/** The checkout's sections go under the calendar; main.js calls what it returns.
 * @param {CalendarPart} part */
export function startBooking(part) {
  calendarPart = part;
  app.append(rooms.section, group.section, details.section, confirmation.section);
  return { loadRooms, forgetStay };
}

/** The stay or party changed: what was priced and held for the old one no longer applies. */
function forgetStay() {
  releaseHold();
  move({ type: 'reset' });
  offers = [];
  clearTimeout(repriceTimer);
  rooms.section.hidden = true;
  group.hide();
  details.section.hidden = true;
  host.reportHeight();
}

/* ---------------------------------------------------------------- rooms and prices */

/** The name a breakdown line goes by: the plan's, an extra's, the base price's in the
 * guest's language, else the rule's own.
 * @param {string} rule */
function ruleLabel(rule) {
  if (rule === 'base_rate') return t('line_base_rate');
  const plan = plans.find((p) => p.slug === rule);
  if (plan) return nameIn(plan.names, language, rule);
  const extra = (place.extras || []).find((e) => 'extras.' + e.slug === rule);
  return extra ? nameIn(extra.names, language, extra.slug) : null;
}

/** The extras and questions for the rooms free now, drawn for the party. @param {string[]} free */
function drawAdditions(free) {
  const guests = choices.adults + choices.children.length;
  extras.draw(extrasFor(place.extras || [], free), place.inputs || [], guests);
}

/** @param {boolean} moveFocus @param {[string, string]} [notice] a sentence and its code
 * @param {boolean} [quietly] re-pricing what is shown: no "Loading…" in its place */
async function loadRooms(moveFocus, notice, quietly) {
  const { checkIn, checkOut } = choices;
  if (!checkIn || !checkOut) return;
  const free = stayCheck(nightsOn, checkIn, checkOut).rooms;
  const oversized = guestsOf(partyOf(choices)) > biggest;
  if (!quietly) group.show({ check_in: checkIn, check_out: checkOut }, partyOf(choices), oversized);
  if (oversized) {
    if (notice) errorIn(group.section, notice[0], notice[1]);
    else clearError();
    if (moveFocus) group.heading.focus();
    return host.reportHeight();
  }
  if (!quietly) {
    rooms.loading();
    drawAdditions(free);
  }
  if (!notice) clearError();
  const guests = choices.adults + choices.children.length;
  const added = additionsFor(additions, place.extras || [], place.inputs || [], guests);
  const stay = { check_in: checkIn, check_out: checkOut, adults: choices.adults, children: partyOf(choices).children, ...added };
  app.setAttribute('aria-busy', 'true');
  const priced = await Promise.all(free.map((slug) =>
    api.plans(place.slug, { room_type: slug, ...stay }).catch(() => null)));
  app.removeAttribute('aria-busy');
  // The guest moved on, or changed the additions again: a later answer draws.
  if (choices.checkIn !== checkIn || choices.checkOut !== checkOut) return;
  if (JSON.stringify(additionsFor(additions, place.extras || [], place.inputs || [], guests)) !== JSON.stringify(added)) return;
  offers = [];
  for (const answer of priced) {
    const chosen = answer && planQuote(answer.quotes, planPicked.get(answer.quotes[0]?.room_type));
    if (answer && chosen) offers.push({ quotes: answer.quotes, chosen });
  }
  drawRooms();
  if (notice) errorIn(rooms.section, notice[0], notice[1]);
  if (offers.length) {
    host.emit('quote', { check_in: checkIn, check_out: checkOut, adults: choices.adults,
      children: choices.children.length,
      quotes: offers.map(({ chosen: q }) => ({ room_type: q.room_type, total: q.total, due_now: q.due_now, currency: q.currency })) });
  }
  if (moveFocus) rooms.heading.focus();
  host.reportHeight();
  rehold();
}

/** The room held alone, if any (a group's rooms are shown in the checkout). */
const heldAlone = () => { const h = holdOf(checkout); return h && !isGroup(h) ? h : null; };
const drawRooms = () => rooms.draw(offers, heldAlone()?.quote || null);

/** The guest picked another plan for a room: its price is shown; a room already held is
 * held again under that plan. @param {Quote} quote */
function pickPlan(quote) {
  planPicked.set(quote.room_type, String(quote.rate_plan));
  offers = offers.map((o) => (o.chosen.room_type === quote.room_type ? { ...o, chosen: quote } : o));
  drawRooms();
  rehold();
}

/** Extras or answers changed: priced again once the guest pauses (a quick run of changes
 * asks once). */
function additionsChanged() {
  clearTimeout(repriceTimer);
  repriceTimer = setTimeout(() => loadRooms(false, undefined, true), 300);
}

/** The held room's shown offer differs from what is held (another plan, other extras):
 * hold it again as shown, so what the guest pays is what they see. */
function rehold() {
  const held = heldAlone();
  if (!held || checkout.phase !== 'held') return;
  const shown = offers.find((o) => o.chosen.room_type === held.quote.room_type)?.chosen;
  if (shown && shown.quote_hash !== held.quote.quote_hash) takeHold(shown);
}

/* ---------------------------------------------------------------- the hold */

/** @param {Quote} quote */
async function takeHold(quote) {
  const held = holdOf(checkout);
  if (held && held.quote.quote_hash === quote.quote_hash) {
    details.heading.focus();
    return;
  }
  const { checkIn, checkOut } = choices;
  if (!checkIn || !checkOut) return;
  if (!move({ type: 'choose', room_type: quote.room_type, quote_hash: quote.quote_hash })) return; // one at a time
  // Choosing another room or plan lets the previous hold go, first: the same room (the
  // last one free, maybe) could not be held twice.
  if (held) await api.release(held).catch(() => { /* it expires by itself anyway */ });
  stopCountdown();
  clearError();
  const stay = { check_in: checkIn, check_out: checkOut };
  try {
    // The plan, extras and answers the quote was priced with (a plan that does not offer
    // an extra has it left out of its quote): the hold must ask for the same.
    const hold = await api.hold(place.slug, { room_type: quote.room_type, adults: choices.adults,
      children: partyOf(choices).children, quote_hash: quote.quote_hash, ...stay,
      ...(quote.rate_plan ? { rate_plan: quote.rate_plan } : {}),
      extras: quote.extras || {}, inputs: quote.inputs || {} });
    if (!move({ type: 'held', hold })) {
      release(hold); // the stay changed while the hold was being taken
      return;
    }
    host.emit('hold', { room_type: quote.room_type, expires_at: hold.expires_at,
      total: hold.quote.total, currency: hold.quote.currency, ...stay });
    drawRooms();
    openCheckout(hold);
  } catch (error) {
    move({ type: 'refused' });
    await holdRefused(error, quote);
  }
}

/** The guest chose several rooms: they are held together (any room held before is let go
 * first). @param {import('./group.js').GroupRoom[]} wanted */
async function takeGroup(wanted) {
  const held = holdOf(checkout);
  const key = 'rooms:' + roomsKey(wanted);
  const { checkIn, checkOut } = choices;
  if (held && groupKeys.get(held.id) === key) return details.heading.focus();
  if (!checkIn || !checkOut || !move({ type: 'choose', room_type: key })) return;
  if (held) await api.release(held).catch(() => { /* it expires by itself anyway */ });
  stopCountdown();
  clearError();
  try {
    const hold = await api.hold(place.slug, { check_in: checkIn, check_out: checkOut, rooms: wanted });
    if (!move({ type: 'held', hold })) return release(hold);
    groupKeys.set(hold.id, key);
    groupParties.set(hold.id, wanted);
    host.emit('hold', { room_type: hold.quote.room_type, rooms: wanted.length, expires_at: hold.expires_at,
      total: heldQuote(hold).total, currency: hold.quote.currency, check_in: checkIn, check_out: checkOut });
    drawRooms();
    openCheckout(hold);
  } catch (error) {
    move({ type: 'refused' });
    if (outcomeOf(error) === 'taken') await refreshStay([t('taken') + ' ' + t('offer_free'), 'taken']);
    else if (!group.refused(error)) failureIn(group.section, error);
    host.reportHeight();
  }
}
/** @type {Map<string, string>} what each group hold was asked as */
const groupKeys = new Map();
/** @type {Map<string, import('./group.js').GroupRoom[]>} each group hold's rooms and parties */
const groupParties = new Map();

/** A group hold's rooms, each with its party and price, for the checkout. @param {Hold} hold */
function heldRooms(hold) {
  const parties = groupParties.get(hold.id) || [];
  return (hold.quotes || []).map((q, i) => ({ room_type: q.room_type, adults: parties[i]?.adults || 0,
    children: parties[i]?.children || [], total: q.total, rate_plan: q.rate_plan, extras: q.extras }));
}

/** @param {unknown} error @param {Quote} quote */
async function holdRefused(error, quote) {
  const outcome = outcomeOf(error);
  if (outcome === 'price_changed' && error instanceof ApiError) {
    // Show the new price where the old one was; the guest chooses again to accept it.
    const fresh = /** @type {Quote} */ (error.body.quote);
    offers = offers.map((o) => (o.chosen.room_type === quote.room_type ? { quotes: o.quotes.map((q) =>
      (q.rate_plan === fresh.rate_plan ? fresh : q)), chosen: fresh } : o));
    drawRooms();
    errorIn(rooms.section, t('price_changed', { amount: money(fresh.total, fresh.currency) }), 'price_changed');
  } else if (outcome === 'taken') {
    await refreshStay([t('taken') + ' ' + t('offer_free'), 'taken']);
  } else {
    failureIn(rooms.section, error);
  }
  host.reportHeight();
}

/** Availability changed under the guest: fetch it again and offer what is still free.
 * @param {[string, string]} notice */
async function refreshStay(notice) {
  calendar.forget();
  await calendarPart.drawCalendar(false);
  if (choices.checkIn && choices.checkOut) await loadRooms(false, notice);
  else errorIn(calendarPart.dates, notice[0], notice[1]);
}

/** @param {Hold} hold */
function release(hold) {
  api.release(hold).catch(() => { /* it expires by itself anyway */ });
}

function releaseHold() {
  const hold = holdOf(checkout);
  if (!hold) return;
  stopCountdown();
  release(hold);
}

// Leaving the page lets the room go at once.
window.addEventListener('pagehide', () => {
  const hold = holdOf(checkout);
  if (hold) api.releaseOnLeaving(hold);
});

function startCountdown() {
  stopCountdown();
  const tick = () => {
    const hold = holdOf(checkout);
    if (!hold) return stopCountdown();
    const left = Date.parse(hold.expires_at) - api.now();
    details.countdown(t(isGroup(hold) ? 'rooms_held_for' : 'held_for', { time: minutesSeconds(left) }), left < 60000);
    if (left <= 0) holdExpired();
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

function stopCountdown() {
  clearInterval(countdownTimer);
  countdownTimer = undefined;
}

function holdExpired() {
  // While paying, the server has extended the hold: wait for its answer.
  if (!move({ type: 'expired' })) return;
  stopCountdown(); // it lapsed on the server: nothing to release
  details.section.hidden = true;
  refreshStay([t('hold_expired'), 'hold_expired']);
}

/* ---------------------------------------------------------------- details and payment */

/** @param {Hold} hold */
function openCheckout(hold) {
  const quote = heldQuote(hold);
  // A group's rooms may be on several plans, each listed with its room: the checkout names
  // one plan (its terms, a card kept) where they share it, or where one keeps the card.
  const held = (hold.quotes || [hold.quote]).map((q) => plans.find((p) => p.slug === q.rate_plan) || null);
  const plan = held.find((p) => p?.card_guarantee) || (held.every((p) => p === held[0]) ? held[0] : null);
  details.open(quote, plan, isGroup(hold) ? heldRooms(hold) : null);
  if (details.section.contains(errorBox)) clearError();
  startCountdown();
  // Paid at the property: a card only where the plan keeps one as a guarantee.
  const guarantee = !!plan?.card_guarantee;
  if (quote.pay_at_property && !guarantee) {
    payment.none();
    details.paymentBox.replaceChildren();
  } else if (payment.usesStripe) {
    payment.mount(details.paymentBox, quote, guarantee, host.reportHeight)
      .catch((error) => failureIn(details.section, error));
  } else {
    payment.mountDemo(details.paymentBox, t);
  }
  details.heading.focus();
  host.reportHeight();
}

async function pay() {
  if (checkout.phase !== 'held') return;
  const problem = details.missing();
  if (problem) {
    problem[0].setAttribute('aria-invalid', 'true');
    errorIn(details.section, problem[1], 'invalid');
    problem[0].focus();
    return;
  }
  clearError();
  move({ type: 'pay' });
  const hold = checkout.hold;
  details.paying();
  try {
    await payment.submit();
    const g = choices.guest;
    const guest = { name: g.name.trim(), email: g.email.trim(), phone: g.phone.trim() || null,
      language, note: g.note.trim() || null };
    const answer = await api.checkout(hold, guest, payment.testCard());
    if (answer.expires_at) move({ type: 'extended', expires_at: answer.expires_at }); // payment grace
    // Nothing to confirm when paid at the property without a card kept.
    if (answer.provider === 'stripe' && answer.client_secret) await payment.confirm(answer.client_secret);
    if (answer.status === 'requires_action') await payment.bankCheck((passed) => api.bankCheck(hold, passed));
    const booking = await api.confirm(hold);
    move({ type: 'paid', booking });
    booked(booking, hold);
  } catch (error) {
    paymentFailed(error, hold);
  }
}

/** The room went to someone else, or the hold ended: nothing was charged (the service
 * cancels the authorisation); say so and offer what is free now. Anything else leaves the
 * hold with the guest, who may try again.
 * @param {unknown} error @param {Hold} hold */
async function paymentFailed(error, hold) {
  const outcome = outcomeOf(error, true);
  if (outcome === 'taken' || outcome === 'hold_gone') {
    move({ type: 'lost' });
    stopCountdown();
    details.section.hidden = true;
    await refreshStay(outcome === 'taken'
      ? [t('taken') + ' ' + t('offer_free'), 'taken'] : [t('hold_expired'), 'hold_expired']);
  } else {
    move({ type: 'failed' });
    details.payable(heldQuote(hold));
    failureIn(details.section, error, true);
    if (error instanceof ApiError) details.markField(error.body.field);
  }
  host.reportHeight();
}

/** @param {import('./api.js').Booking} booking @param {Hold} hold */
function booked(booking, hold) {
  stopCountdown();
  calendarPart.party.hidden = calendarPart.dates.hidden = rooms.section.hidden = group.section.hidden =
    details.section.hidden = true;
  const quote = heldQuote(hold);
  confirmation.show(booking, quote, choices.guest.email);
  // What the guest typed is no longer needed in this tab.
  choices.guest = noGuest();
  choices.checkIn = choices.checkOut = null;
  choices.accept = false;
  save();
  host.emit('booked', { reference: booking.reference, total: quote.total, currency: quote.currency });
  host.reportHeight();
}
