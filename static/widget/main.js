// @ts-check
/* The Innkeep widget page: dates, party, rooms, details and payment on one view. Native ES
 * modules and no build step: the page the service renders (templates/widget/page.html)
 * carries its configuration as JSON and runs the modules linked into one nonced script
 * (widget/api/page_assets.py). This module wires the parts together and runs the guest's
 * way through them. */

import { createApi, sessionIdIn } from './api.js';
import { arrivalOn, createCalendar, dayState, monthsShown, roomsOf, shownFrom, stayCheck } from './calendar.js';
import { calendarView } from './calendar-view.js';
import { CHOOSING, holdOf, step } from './checkout.js';
import { checkoutView, confirmationView } from './checkout-view.js';
import { readConfig } from './config.js';
import { addDays, addMonths, gridMove, monthOf, nightsBetween } from './dates.js';
import { el } from './dom.js';
import { ApiError, codeOf, outcomeOf } from './errors.js';
import { extrasView } from './extras-view.js';
import { formatMoney, longDate, minutesSeconds, sentence } from './format.js';
import { guestsOf, heldQuote, isGroup, roomsKey } from './group.js';
import { groupView } from './group-view.js';
import { createHost } from './host.js';
import { partyView } from './party-view.js';
import { createPayment } from './payment.js';
import { additionsFor, extrasFor, nameIn, planQuote } from './plans.js';
import { roomsView } from './rooms-view.js';
import { ageMissing, choicesStore, clamp, initialChoices, noGuest, partyOf } from './state.js';

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {import('./api.js').Hold} Hold */
/** @typedef {import('./checkout.js').Checkout} Checkout */
/** @typedef {import('./checkout.js').CheckoutEvent} CheckoutEvent */
/** @typedef {import('./rooms-view.js').Offer} Offer */

const cfg = readConfig(document);
const place = cfg.property;
const language = cfg.options.language;
const today = place.today;
const app = /** @type {HTMLElement} */ (document.getElementById('innkeep'));

/** @param {string} key @param {Record<string, string | number>} [values] */
const t = (key, values) => sentence(cfg.messages, key, values);

/** @param {number} amount @param {string} currency @param {boolean} [compact] */
function money(amount, currency, compact) {
  const exponent = cfg.currency_exponents[currency];
  if (exponent === undefined) throw new Error(`no exponent for ${currency} in the page's configuration`);
  return formatMoney(language, amount, currency, exponent, compact);
}
/** @param {string} date */
const long = (date) => longDate(language, date);

let storage = null;
try {
  storage = window.sessionStorage;
} catch { /* storage is off: nothing survives a reload */ }

const api = createApi({ session: sessionIdIn(storage), offline: t('offline') });
const host = createHost(window, cfg.parent_origin);
// Escape closes the "Book now" dialog from anywhere in the widget (what it did not handle).
window.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !e.defaultPrevented) host.escape(); });
const payment = createPayment({ provider: cfg.payment_provider, key: cfg.stripe_publishable_key,
  language, offline: t('offline') });
const store = choicesStore(storage, 'innkeep:' + place.slug + ':' + cfg.widget_id);
const biggest = Math.max(1, ...place.room_types.map((r) => r.max_guests));
const maxRooms = place.max_rooms_per_booking || 4;
// A party no one room sleeps books several rooms together.
const maxGuests = biggest * maxRooms;
const choices = initialChoices(store.load(), cfg.options, maxGuests, today);
const calendar = createCalendar(async (month, party, revalidate) => {
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
let ready = false;

const save = () => store.save(choices);
/** @param {string} date */
const nightsOn = (date) => calendar.nightsOn(date, partyOf(choices));

/** @param {CheckoutEvent} event @returns {boolean} whether the event applied */
function move(event) {
  const next = step(checkout, event);
  const moved = next !== checkout;
  checkout = next;
  return moved;
}

/* ---------------------------------------------------------------- the page's parts */

const errorBox = el('div', { 'data-testid': 'error', role: 'alert', class: 'error', hidden: true });

/** @param {string} text */
function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}
const clearError = () => showError('');

/** Puts the one alert where the guest is looking, says it, and tells the host page.
 * @param {HTMLElement} section @param {string} text @param {string} code */
function errorIn(section, text, code) {
  section.prepend(errorBox);
  showError(text);
  host.emit('error', { code, message: text });
}

/** @param {HTMLElement} section @param {unknown} error @param {boolean} [aboutHold] */
function failureIn(section, error, aboutHold) {
  errorIn(section, error instanceof Error && error.message ? error.message : t('offline'), codeOf(error, aboutHold));
}

const party = partyView({ t, maxGuests, choices, changed: partyChanged });
const dates = calendarView({
  language, t, price: (m) => money(m.amount, m.currency, true), pick: pick, key: gridKey,
  showMonth: (n) => showMonth(addMonths(choices.month, n), true),
});
const rooms = roomsView({ language, t, money, roomTypes: place.room_types, plans, label: ruleLabel,
  choose: takeHold, pickPlan });
const extras = extrasView({ language, t, money, chosen: additions, changed: additionsChanged });
rooms.heading.after(extras.section);
const group = groupView({ t, money, place, maxRooms, api, hold: takeGroup, failed: failureIn });
const details = checkoutView({ language, t, money, place, choices, saved: save, pay });
const confirmation = confirmationView({ language, t, money, place });

const title = /** @type {HTMLElement} */ (app.querySelector('.title'));
app.replaceChildren(title, party.section, dates.section, rooms.section, group.section, details.section, confirmation.section);

/* ---------------------------------------------------------------- the calendar */

/** @param {string} month @param {boolean} keepFocus */
async function showMonth(month, keepFocus) {
  choices.month = shownFrom(month, today);
  if (!keepFocus || choices.focus < choices.month || choices.focus >= addMonths(choices.month, 2)) {
    choices.focus = choices.month === monthOf(today) ? today : choices.month;
  }
  await drawCalendar(false);
}

/** @param {boolean} focusGrid @returns {Promise<boolean>} whether the months are shown */
async function drawCalendar(focusGrid) {
  // The months asked for now are the ones drawn, even if the guest has clicked on since:
  // a later call draws later months once they are loaded.
  const month = choices.month;
  app.setAttribute('aria-busy', 'true');
  try {
    await Promise.all(monthsShown(month).map((m) => calendar.month(m, partyOf(choices))));
  } catch (error) {
    app.removeAttribute('aria-busy');
    failureIn(dates.section, error);
    return false;
  }
  app.removeAttribute('aria-busy');
  if (dates.section.contains(errorBox)) clearError();
  const { focus, checkIn, checkOut } = choices;
  dates.draw({ month, focus, today, checkIn, checkOut, nightsOn }, focusGrid);
  drawStatus();
  if (!ready) {
    ready = true;
    host.emit('ready', { property: place.slug });
  }
  host.reportHeight();
  return true;
}

/** The line under the calendar: what to pick next, the stay, or why not (`warning`).
 * @param {string} [warning] */
function drawStatus(warning) {
  const missing = ageMissing(choices);
  const { checkIn, checkOut } = choices;
  let text = warning || '';
  if (warning) { /* said as given */ } else if (missing >= 0) text = t('child_age', { n: missing + 1 }) + ' ?';
  else if (!checkIn) text = t('pick_arrival');
  else if (!checkOut) text = t('pick_departure');
  else {
    const nights = nightsBetween(checkIn, checkOut);
    text = t(nights === 1 ? 'one_night' : 'selected', { nights, check_in: long(checkIn), check_out: long(checkOut) });
  }
  dates.status(text, !!warning);
}

/** The grid's keys, from the date the grid says is focused, not the cell's own: keys
 * pressed while the next month loads must add up, not restart from a cell about to go.
 * @param {KeyboardEvent} e */
function gridKey(e) {
  const date = choices.focus;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    if (dayState(nightsOn, date, today, choices.checkIn, choices.checkOut).enabled) pick(date, true);
    return;
  }
  let next = gridMove(date, e.key);
  if (!next) return;
  e.preventDefault();
  if (next < today) next = today;
  choices.focus = next;
  if (next < choices.month || next >= addMonths(choices.month, 2)) {
    choices.month = shownFrom(next < choices.month ? monthOf(next) : addMonths(monthOf(next), -1), today);
    drawCalendar(true);
  } else {
    dates.focus(next);
  }
}

/** The guest picked `date`: an arrival, or a departure for the arrival picked before.
 * @param {string} date @param {boolean} byKeyboard */
function pick(date, byKeyboard) {
  choices.focus = date;
  const { checkIn, checkOut } = choices;
  if (checkIn && !checkOut && date > checkIn) {
    const check = stayCheck(nightsOn, checkIn, date);
    if (!check.rooms.length) {
      // Explain why, keep the arrival: the guest picks another departure.
      const why = check.reason ? t(check.reason.key, reasonValues(check.reason)) : '';
      drawCalendar(byKeyboard).then(() => drawStatus(why));
      return;
    }
    choices.checkOut = date;
    datesChanged(byKeyboard);
    return;
  }
  const arrival = arrivalOn(nightsOn, date, today);
  let why = '';
  if (arrival.loading) { /* not shown yet: nothing to say */ } else if (arrival.soldOut) {
    why = t('not_free', { check_in: long(date), check_out: long(addDays(date, 1)) });
  } else if (arrival.noArrival) why = t('no_arrival_on', { date: long(date) });
  choices.checkIn = why ? null : date;
  choices.checkOut = null;
  forgetStay();
  save();
  drawCalendar(byKeyboard).then(() => { if (why) drawStatus(why); });
}

/** @param {import('./calendar.js').Reason} reason @returns {Record<string, string | number>} */
function reasonValues(reason) {
  if (reason.key === 'not_free') return { check_in: long(reason.check_in), check_out: long(reason.check_out) };
  if (reason.key === 'min_stay') return { date: long(reason.date), nights: reason.nights };
  return { date: long(reason.date) };
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

/** @param {boolean} byKeyboard */
function datesChanged(byKeyboard) {
  save();
  forgetStay();
  host.emit('dates', { check_in: choices.checkIn, check_out: choices.checkOut, adults: choices.adults,
    children: choices.children.length });
  drawCalendar(false).then((shown) => { if (shown) loadRooms(byKeyboard); });
}

function partyChanged() {
  save();
  forgetStay();
  if (ageMissing(choices) >= 0) {
    drawStatus();
    return;
  }
  drawCalendar(false).then((shown) => {
    const { checkIn, checkOut } = choices;
    if (!shown || !checkIn || !checkOut) return;
    if (stayCheck(nightsOn, checkIn, checkOut).rooms.length) loadRooms(false);
    else drawStatus(t('not_free', { check_in: long(checkIn), check_out: long(checkOut) }));
  });
}

/* ---------------------------------------------------------------- rooms and prices */

/** The name a breakdown line goes by: the plan's, an extra's, else the rule's own.
 * @param {string} rule */
function ruleLabel(rule) {
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
    else failureIn(group.section, error);
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
    children: parties[i]?.children || [], total: q.total }));
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
  await drawCalendar(false);
  if (choices.checkIn && choices.checkOut) await loadRooms(false, notice);
  else errorIn(dates.section, notice[0], notice[1]);
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
  const plan = plans.find((p) => p.slug === hold.quote.rate_plan) || null;
  const quote = heldQuote(hold);
  details.open(quote, plan, isGroup(hold) ? heldRooms(hold) : null);
  if (details.section.contains(errorBox)) clearError();
  startCountdown();
  // Paid at the property: a card only where the plan keeps one as a guarantee.
  const guarantee = !!plan?.card_guarantee;
  if (hold.quote.pay_at_property && !guarantee) {
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
  party.section.hidden = dates.section.hidden = rooms.section.hidden = group.section.hidden = details.section.hidden = true;
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

/* ---------------------------------------------------------------- commands from the host page */

host.onOpen((command) => {
  if (command.adults !== undefined) choices.adults = clamp(command.adults, 1, maxGuests);
  if (command.children) choices.children = command.children.map((a) => clamp(a, 0, 17)).slice(0, maxGuests - 1);
  party.draw();
  if (command.check_in && command.check_in >= today) {
    choices.checkIn = command.check_in;
    choices.checkOut = command.check_out || null;
    choices.month = monthOf(command.check_in);
    choices.focus = command.check_in;
  }
  if (choices.checkIn && choices.checkOut) datesChanged(false);
  else partyChanged();
});

/* ---------------------------------------------------------------- start */

party.draw();
if ('ResizeObserver' in window) new ResizeObserver(host.reportHeight).observe(document.documentElement);
drawCalendar(false).then((shown) => {
  const { checkIn, checkOut } = choices;
  if (shown && checkIn && checkOut && stayCheck(nightsOn, checkIn, checkOut).rooms.length) loadRooms(false);
});
