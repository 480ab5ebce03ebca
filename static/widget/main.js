// @ts-check
/* The Innkeep widget page: dates, party, rooms, details and payment on one view. Native ES
 * modules and no build step: the page the service renders (templates/widget/page.html)
 * carries its configuration as JSON and runs the modules linked into nonced scripts
 * (widget/api/page_assets.py). This module draws the party and the priced calendar; the
 * checkout (booking.js: rooms, plans, extras, details, payment) is imported with `import()`,
 * so it and the modules only it needs come as a later part, asked for after the first paint:
 * they are not in the bytes before the calendar. */

import { arrivalOn, dayState, monthsShown, shownFrom, stayCheck } from './calendar.js';
import { calendarView } from './calendar-view.js';
import { addDays, addMonths, gridMove, monthOf, nightsBetween } from './dates.js';
import { OfflineError } from './errors.js';
import { app, calendar, choices, clearError, errorBox, failureIn, host, language, long, maxGuests, money,
  nightsOn, place, save, t, today } from './page.js';
import { partyView } from './party-view.js';
import { ageMissing, clamp, partyOf } from './state.js';

/** @typedef {ReturnType<typeof import('./booking.js').startBooking>} Booking */

// Escape closes the "Book now" dialog from anywhere in the widget (what it did not handle).
window.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !e.defaultPrevented) host.escape(); });

let ready = false;

const party = partyView({ t, maxGuests, choices, changed: partyChanged });
const dates = calendarView({
  language, t, price: (m) => money(m.amount, m.currency, true), pick: pick, key: gridKey,
  showMonth: (n) => showMonth(addMonths(choices.month, n), true),
});

const title = /** @type {HTMLElement} */ (app.querySelector('.title'));
app.replaceChildren(title, party.section, dates.section);

/* ---------------------------------------------------------------- the checkout, later */

/** @type {Booking | undefined} the checkout, once its part is here */
let booking;
/** @type {Promise<Booking> | undefined} */
let bookingLoading;
/** Stays asked to be priced before the checkout was here: only the last one is. */
let pricingAsked = 0;

/** The checkout's part, asked for once (again after a failed load). @returns {Promise<Booking>} */
function bookingPart() {
  if (!bookingLoading) {
    const loading = import('./booking.js').then(({ startBooking }) =>
      (booking = startBooking({ drawCalendar, party: party.section, dates: dates.section })));
    loading.catch(() => { if (bookingLoading === loading) bookingLoading = undefined; });
    bookingLoading = loading;
  }
  return bookingLoading;
}

/** Prices the chosen stay's rooms; a stay chosen before the checkout arrived waits for it
 * (the guest's click is kept, not lost). @param {boolean} moveFocus */
function loadRooms(moveFocus) {
  if (booking) {
    booking.loadRooms(moveFocus);
    return;
  }
  const asked = ++pricingAsked;
  app.setAttribute('aria-busy', 'true');
  bookingPart().then((part) => {
    app.removeAttribute('aria-busy');
    if (asked === pricingAsked) part.loadRooms(moveFocus);
  }, () => {
    app.removeAttribute('aria-busy');
    if (asked === pricingAsked) failureIn(dates.section, new OfflineError(t('offline')));
  });
}

/** The stay or party changed: what the checkout priced or held no longer applies (before it
 * is here there is nothing to forget). */
function forgetStay() {
  booking?.forgetStay();
}

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
    // The priced calendar is up: now ask for the checkout, before the guest needs it, once
    // the frame has loaded (a script asked for earlier would hold back the host page's
    // `load` event, which waits for its frames).
    if (document.readyState === 'complete') setTimeout(bookingPart);
    else window.addEventListener('load', () => setTimeout(bookingPart), { once: true });
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
