/* The Innkeep widget page: dates, party, rooms, details and payment on one view.
 * No framework and no build step: the page the service renders (templates/widget/page.html)
 * carries its configuration as JSON; this script draws everything from there and the
 * public API (same origin). Events go to the page that framed us, and only to it. */
(function () {
  'use strict';

  const cfg = JSON.parse(document.getElementById('innkeep-config').textContent);
  const P = cfg.property;
  const M = cfg.messages;
  const LANG = cfg.options.language;
  const PARENT = cfg.parent_origin; // null when the page is opened on its own
  const SLUG = P.slug;
  const API = '/api/v1';
  const DAY = 864e5;
  const app = document.getElementById('innkeep');

  /* ---------------------------------------------------------------- small helpers */

  const t = (key, values) =>
    (M[key] || key).replace(/\{(\w+)\}/g, (all, name) =>
      values && values[name] !== undefined ? values[name] : all);

  const toDate = (s) => new Date(s + 'T00:00:00Z');
  const iso = (d) => d.toISOString().slice(0, 10);
  const addDays = (s, n) => iso(new Date(toDate(s).getTime() + n * DAY));
  const monthOf = (s) => s.slice(0, 8) + '01';
  const addMonths = (s, n) => {
    const d = toDate(monthOf(s));
    d.setUTCMonth(d.getUTCMonth() + n);
    return iso(d);
  };
  const nightsBetween = (a, b) => Math.round((toDate(b) - toDate(a)) / DAY);
  // Dates are the property's local dates (never the browser's): format them as UTC days.
  const fmtDate = (s, options) =>
    new Intl.DateTimeFormat(LANG, Object.assign({ timeZone: 'UTC' }, options)).format(toDate(s));
  const longDate = (s) => fmtDate(s, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const shortDate = (s) => fmtDate(s, { weekday: 'short', day: 'numeric', month: 'short' });

  const digitsCache = {};
  function money(amount, currency, compact) {
    if (!(currency in digitsCache)) {
      digitsCache[currency] = new Intl.NumberFormat(LANG, { style: 'currency', currency })
        .resolvedOptions().maximumFractionDigits;
    }
    const digits = digitsCache[currency];
    const value = amount / Math.pow(10, digits);
    const whole = compact && amount % Math.pow(10, digits) === 0;
    return new Intl.NumberFormat(LANG, {
      style: 'currency', currency,
      minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: whole ? 0 : digits,
    }).format(value);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // not a secure context: same entropy
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // Our own session id: in sessionStorage, sent as a header, so no third-party cookie is needed.
  function sessionId() {
    try {
      let id = sessionStorage.getItem('innkeep:session');
      if (!id) sessionStorage.setItem('innkeep:session', (id = uuid()));
      return id;
    } catch (e) {
      return (sessionId.fallback = sessionId.fallback || uuid());
    }
  }

  /* ---------------------------------------------------------------- events to the host page */

  function emit(type, detail) {
    if (!PARENT || window.parent === window) return;
    // Never "*": only the page that framed us (checked by the server against the property's list).
    window.parent.postMessage({ innkeep: 1, type, detail: Object.assign({ version: 1 }, detail) }, PARENT);
  }

  function reportHeight() {
    if (!PARENT || window.parent === window) return;
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== reportHeight.last) {
      reportHeight.last = height;
      window.parent.postMessage({ innkeep: 1, type: 'resize', height }, PARENT);
    }
  }

  /* ---------------------------------------------------------------- the API */

  let clockSkew = 0; // server clock minus ours, from the Date header: the countdown uses the server's

  async function call(method, path, body, headers) {
    const h = Object.assign({ Accept: 'application/json', 'X-Innkeep-Session': sessionId() }, headers);
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (method === 'POST' && !h['Idempotency-Key']) h['Idempotency-Key'] = uuid();
    const init = { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) };
    let response;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetch(API + path, init);
        break;
      } catch (e) {
        // A flaky connection: retry once; the same Idempotency-Key makes a POST safe to repeat.
        if (attempt >= 1) throw { status: 0, error: 'offline', message: t('offline') };
        await new Promise((ok) => setTimeout(ok, 800));
      }
    }
    const date = Date.parse(response.headers.get('Date') || '');
    if (!isNaN(date)) clockSkew = date - Date.now();
    let data = null;
    try {
      data = await response.json();
    } catch (e) { /* an empty body */ }
    if (!response.ok) {
      throw Object.assign({ status: response.status, error: 'error', message: response.statusText }, data);
    }
    return data;
  }

  /* ---------------------------------------------------------------- state */

  const maxGuests = Math.max(1, ...P.room_types.map((r) => r.max_guests));
  const saved = restore();
  const S = {
    adults: clamp(saved.adults || cfg.options.adults || Math.min(2, maxGuests), 1, maxGuests),
    children: Array.isArray(saved.children) ? saved.children : cfg.options.children.slice(),
    checkIn: saved.checkIn || null,
    checkOut: saved.checkOut || null,
    month: null, // first month shown
    focus: null, // the date the grid's keyboard focus is on
    calendar: {}, // party key → month → { slug → { date → night } }
    quotes: [], // the rooms free for the dates, priced
    hold: null, // { id, token, expires_at, quote }
    guest: Object.assign({ name: '', email: '', phone: '', note: '' }, saved.guest),
    accept: !!saved.accept,
    done: null,
    ready: false,
  };
  if (S.checkIn && S.checkIn < P.today) S.checkIn = S.checkOut = null;
  S.month = monthOf(S.checkIn || P.today);
  S.focus = S.checkIn || P.today;

  function clamp(n, low, high) {
    n = parseInt(n, 10);
    return isNaN(n) ? low : Math.min(high, Math.max(low, n));
  }

  // What the guest typed survives going back and forth, and a reload of the page.
  const storeKey = 'innkeep:' + SLUG + ':' + cfg.widget_id;
  function restore() {
    try {
      return JSON.parse(sessionStorage.getItem(storeKey)) || {};
    } catch (e) {
      return {};
    }
  }
  function persist() {
    try {
      sessionStorage.setItem(storeKey, JSON.stringify({
        adults: S.adults, children: S.children, checkIn: S.checkIn, checkOut: S.checkOut,
        guest: S.guest, accept: S.accept,
      }));
    } catch (e) { /* storage may be off: the page still works */ }
  }

  const partyKey = () => S.adults + '|' + S.children.join(',');
  const agesMissing = () => S.children.findIndex((age) => age === null || age === '' || age === undefined);
  const onlyRoom = cfg.options.room_type;

  /* ---------------------------------------------------------------- the page's parts */

  const errorBox = el('div', { 'data-testid': 'error', role: 'alert', class: 'error', hidden: true });

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function clearError() {
    showError('');
  }

  // Put the one alert where the guest is looking, then say it.
  function errorIn(section, text, code) {
    section.prepend(errorBox);
    showError(text);
    emit('error', { code: code || 'error', message: text });
  }

  // ---- party
  const adultsSelect = el('select', { id: 'adults', 'data-testid': 'adults' });
  for (let n = 1; n <= maxGuests; n++) adultsSelect.append(el('option', { value: n, text: n }));
  const childrenSelect = el('select', { id: 'children', 'data-testid': 'children' });
  for (let n = 0; n < maxGuests; n++) childrenSelect.append(el('option', { value: n, text: n }));
  const agesBox = el('div', { class: 'ages' });

  const partySection = el('section', { class: 'party', 'aria-labelledby': 'party-h' },
    el('h2', { id: 'party-h', text: t('party') }),
    el('div', { class: 'fields' },
      el('label', { for: 'adults' }, t('adults'), adultsSelect),
      el('label', { for: 'children' }, t('children'), childrenSelect)),
    agesBox);

  function drawAges() {
    agesBox.replaceChildren(...S.children.map((age, i) => {
      const id = 'age-' + i;
      const select = el('select', { id, 'data-testid': 'child-age', required: true,
        onchange: (e) => { S.children[i] = e.target.value === '' ? null : +e.target.value; partyChanged(); } },
      el('option', { value: '', text: '–' }));
      for (let a = 0; a <= 17; a++) select.append(el('option', { value: a, text: a }));
      select.value = age === null || age === undefined ? '' : String(age);
      return el('label', { for: id }, t('child_age', { n: i + 1 }), select);
    }));
  }

  adultsSelect.addEventListener('change', () => { S.adults = +adultsSelect.value; partyChanged(); });
  childrenSelect.addEventListener('change', () => {
    const n = +childrenSelect.value;
    S.children = S.children.slice(0, n);
    while (S.children.length < n) S.children.push(null);
    drawAges();
    partyChanged();
  });

  // ---- calendar
  const prevButton = el('button', { type: 'button', class: 'nav', 'data-testid': 'prev-month', 'aria-label': t('prev_month'), text: '‹',
    onclick: () => showMonth(addMonths(S.month, -1), true) });
  const nextButton = el('button', { type: 'button', class: 'nav', 'data-testid': 'next-month', 'aria-label': t('next_month'), text: '›',
    onclick: () => showMonth(addMonths(S.month, 1), true) });
  const months = el('div', { class: 'months', 'data-testid': 'calendar' });
  const status = el('p', { class: 'status', 'data-testid': 'stay-status', 'aria-live': 'polite' });
  const dateSection = el('section', { class: 'dates', 'aria-labelledby': 'dates-h' },
    el('div', { class: 'dates-head' }, el('h2', { id: 'dates-h', text: t('calendar') }),
      el('div', { class: 'navs' }, prevButton, nextButton)),
    months, status);

  // ---- rooms
  const roomsList = el('ul', { class: 'rooms-list' });
  const roomsHeading = el('h2', { id: 'rooms-h', tabindex: '-1', text: t('rooms') });
  const roomsSection = el('section', { class: 'rooms', 'aria-labelledby': 'rooms-h', hidden: true },
    roomsHeading, roomsList);

  // ---- details and payment
  const countdown = el('p', { class: 'countdown', 'data-testid': 'countdown', role: 'timer', 'aria-live': 'off' });
  const field = (name, type, autocomplete, required) => {
    const input = el(name === 'note' ? 'textarea' : 'input', {
      id: 'guest-' + name, name, type: name === 'note' ? null : type, autocomplete,
      'data-testid': 'guest-' + name, required, rows: name === 'note' ? 2 : null,
      oninput: (e) => { S.guest[name] = e.target.value; e.target.removeAttribute('aria-invalid'); persist(); },
    });
    input.value = S.guest[name] || '';
    return el('label', { for: 'guest-' + name, class: 'field' },
      el('span', { text: t('guest_' + name) }), input);
  };
  const acceptBox = el('input', { type: 'checkbox', id: 'accept', 'data-testid': 'accept-policy', required: true,
    onchange: (e) => { S.accept = e.target.checked; e.target.removeAttribute('aria-invalid'); persist(); } });
  acceptBox.checked = S.accept;
  const policy = P.cancellation_policy;
  const payButton = el('button', { type: 'submit', class: 'primary', 'data-testid': 'pay' });
  const paymentBox = el('div', { class: 'payment', id: 'payment' });
  const detailsHeading = el('h2', { id: 'details-h', tabindex: '-1', text: t('details') });
  const chosenSummary = el('div', { class: 'summary' });
  const form = el('form', { novalidate: true, onsubmit: pay },
    field('name', 'text', 'name', true),
    field('email', 'email', 'email', true),
    field('phone', 'tel', 'tel', false),
    field('note', null, 'off', false),
    el('p', { class: 'policy', text: t(policy.refund_percent ? 'policy_free' : 'policy_no_refund',
      { days: policy.free_until_days, percent: policy.refund_percent }) }),
    el('label', { for: 'accept', class: 'check' }, acceptBox, el('span', { text: t('accept_policy') })),
    paymentBox,
    payButton);
  const checkoutSection = el('section', { class: 'checkout', 'aria-labelledby': 'details-h', hidden: true },
    detailsHeading, chosenSummary, countdown, form);

  // ---- confirmation
  const doneSection = el('section', { class: 'done', 'data-testid': 'confirmation', hidden: true,
    'aria-labelledby': 'done-h' });

  const title = app.querySelector('.title');
  app.replaceChildren(title, partySection, dateSection, roomsSection, checkoutSection, doneSection);

  /* ---------------------------------------------------------------- the calendar */

  async function loadMonth(month) {
    const key = partyKey();
    const byMonth = (S.calendar[key] = S.calendar[key] || {});
    if (byMonth[month]) return byMonth[month];
    const params = new URLSearchParams({ start: month, end: addMonths(month, 1), adults: S.adults });
    if (S.children.length) params.set('children', S.children.join(','));
    byMonth[month] = call('GET', `/properties/${SLUG}/calendar?${params}`).then((answer) => {
      const rooms = {};
      for (const room of answer.room_types) {
        if (onlyRoom && room.slug !== onlyRoom) continue;
        rooms[room.slug] = {};
        for (const night of room.nights) rooms[room.slug][night.date] = night;
      }
      return (byMonth[month] = rooms);
    }, (error) => {
      delete byMonth[month];
      throw error;
    });
    return byMonth[month];
  }

  // The nights of every room type on `date`, from the months already loaded.
  function nightsOn(date) {
    const rooms = (S.calendar[partyKey()] || {})[monthOf(date)];
    if (!rooms || rooms instanceof Promise || typeof rooms.then === 'function') return null;
    return Object.entries(rooms).map(([slug, nights]) => [slug, nights[date]]).filter((x) => x[1]);
  }

  // Which room types could take a stay [checkIn, checkOut), and if none, why not.
  function stayCheck(checkIn, checkOut) {
    const arrival = nightsOn(checkIn) || [];
    const nights = nightsBetween(checkIn, checkOut);
    const reasons = [];
    const fits = arrival.filter(([slug, first]) => {
      if (first.closed_to_arrival) { reasons.push(['no_arrival_on', { date: longDate(checkIn) }]); return false; }
      if (first.min_stay > nights) {
        reasons.push(['min_stay', { date: longDate(checkIn), nights: first.min_stay }]);
        return false;
      }
      for (let d = checkIn; d < checkOut; d = addDays(d, 1)) {
        const night = (nightsOn(d) || []).find((x) => x[0] === slug);
        if (!night || night[1].units_free < 1 || !night[1].price) {
          reasons.push(['not_free', { check_in: longDate(checkIn), check_out: longDate(checkOut) }]);
          return false;
        }
      }
      const departure = (nightsOn(checkOut) || []).find((x) => x[0] === slug);
      if (departure && departure[1].closed_to_departure) {
        reasons.push(['no_departure_on', { date: longDate(checkOut) }]);
        return false;
      }
      return true;
    });
    return { rooms: fits.map((x) => x[0]), reason: reasons[0] };
  }

  function arrivalInfo(date) {
    const nights = nightsOn(date);
    if (!nights) return { loading: true };
    const open = nights.filter(([, n]) => n.units_free > 0 && n.price);
    const prices = open.map(([, n]) => n.price);
    const cheapest = prices.sort((a, b) => a.amount - b.amount)[0];
    return {
      past: date < P.today,
      soldOut: !open.length,
      noArrival: open.length > 0 && open.every(([, n]) => n.closed_to_arrival),
      price: cheapest,
    };
  }

  const picking = () => (S.checkIn && !S.checkOut ? 'departure' : 'arrival');

  function cellState(date) {
    const info = arrivalInfo(date);
    if (info.loading) return { info, enabled: false, label: '' };
    if (info.past) return { info, enabled: false, label: t('past') };
    if (picking() === 'departure' && date > S.checkIn) {
      // Any later day may be a departure as long as a room is free every night before it.
      const ok = stayCheck(S.checkIn, date).rooms.length > 0;
      return { info, enabled: true, departure: ok, label: info.soldOut ? t('sold_out') : '' };
    }
    if (info.soldOut) return { info, enabled: true, label: t('sold_out') };
    if (info.noArrival) return { info, enabled: true, label: t('no_arrival') };
    return { info, enabled: true, label: '' };
  }

  const weekdays = Array.from({ length: 7 }, (_, i) => {
    const monday = '2024-01-01'; // a Monday: our weeks start on Monday
    return [fmtDate(addDays(monday, i), { weekday: 'short' }), fmtDate(addDays(monday, i), { weekday: 'long' })];
  });

  function drawMonth(month, index) {
    const caption = fmtDate(month, { month: 'long', year: 'numeric' });
    const captionId = 'month-' + index;
    const table = el('table', { role: 'grid', 'aria-labelledby': captionId, class: 'month' },
      el('caption', { id: captionId, text: caption }),
      el('thead', {}, el('tr', {}, ...weekdays.map(([short, long]) =>
        el('th', { scope: 'col', abbr: long }, el('span', { 'aria-hidden': 'true', text: short }),
          el('span', { class: 'sr', text: long }))))));
    const body = el('tbody');
    const offset = (toDate(month).getUTCDay() + 6) % 7;
    const length = nightsBetween(month, addMonths(month, 1));
    let row = el('tr');
    for (let i = 0; i < offset; i++) row.append(el('td', { role: 'presentation' }));
    for (let day = 1; day <= length; day++) {
      const date = addDays(month, day - 1);
      row.append(drawNight(date));
      if ((offset + day) % 7 === 0 || day === length) {
        body.append(row);
        row = el('tr');
      }
    }
    table.append(body);
    return table;
  }

  function drawNight(date) {
    const state = cellState(date);
    const { info } = state;
    const selected = S.checkIn && (date === S.checkIn || (S.checkOut && date >= S.checkIn && date <= S.checkOut));
    const classes = ['night'];
    if (info.past) classes.push('past');
    if (info.soldOut && !info.past) classes.push('sold-out');
    if (info.noArrival) classes.push('no-arrival');
    if (selected) classes.push('selected');
    if (date === S.checkIn) classes.push('start');
    if (date === S.checkOut) classes.push('end');
    if (state.departure) classes.push('can-leave');
    const price = !info.past && !info.soldOut && info.price ? money(info.price.amount, info.price.currency, true) : '';
    const spoken = [longDate(date)];
    if (price) spoken.push(t('from_price', { price }));
    if (state.label) spoken.push(state.label);
    return el('td', {
      role: 'gridcell', class: classes.join(' '), 'data-testid': 'night', 'data-date': date,
      tabindex: date === S.focus ? '0' : '-1', 'aria-selected': selected ? 'true' : 'false',
      'aria-disabled': state.enabled ? null : 'true', 'aria-label': spoken.join(', '),
      onclick: () => { if (state.enabled) choose(date); },
      onkeydown: gridKey,
    },
    el('span', { class: 'day', 'aria-hidden': 'true', text: String(+date.slice(8)) }),
    el('span', { class: 'price', 'aria-hidden': 'true', text: price || (info.past ? '' : state.label) }));
  }

  async function showMonth(month, keepFocus) {
    if (month < monthOf(P.today)) month = monthOf(P.today);
    S.month = month;
    if (!keepFocus || S.focus < month || S.focus >= addMonths(month, 2)) {
      S.focus = month === monthOf(P.today) ? P.today : month;
    }
    await drawCalendar();
  }

  async function drawCalendar(focusGrid) {
    const shown = [S.month, addMonths(S.month, 1)];
    app.setAttribute('aria-busy', 'true');
    try {
      await Promise.all(shown.map(loadMonth));
    } catch (error) {
      app.removeAttribute('aria-busy');
      errorIn(dateSection, error.message || t('offline'), error.error);
      return;
    }
    app.removeAttribute('aria-busy');
    if (dateSection.contains(errorBox)) clearError();
    months.replaceChildren(...shown.map(drawMonth));
    prevButton.disabled = S.month <= monthOf(P.today);
    if (focusGrid) focusNight();
    drawStatus();
    if (!S.ready) {
      S.ready = true;
      emit('ready', { property: SLUG });
    }
    reportHeight();
  }

  function focusNight() {
    const cell = months.querySelector(`[data-date="${S.focus}"]`);
    if (cell) cell.focus();
  }

  // The grid's keys (WAI-ARIA date grid): arrows by day and week, Home/End, PageUp/PageDown.
  function gridKey(e) {
    // From the date the grid says is focused, not the cell's own: keys pressed while the
    // next month loads must add up, not restart from a cell about to be redrawn.
    const date = S.focus;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    let next = null;
    if (e.key in moves) next = addDays(date, moves[e.key]);
    else if (e.key === 'Home') next = addDays(date, -((toDate(date).getUTCDay() + 6) % 7));
    else if (e.key === 'End') next = addDays(date, 6 - ((toDate(date).getUTCDay() + 6) % 7));
    else if (e.key === 'PageUp' || e.key === 'PageDown') {
      const target = addMonths(date, e.key === 'PageUp' ? -1 : 1);
      const day = Math.min(+date.slice(8), nightsBetween(target, addMonths(target, 1)));
      next = addDays(target, day - 1);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (cellState(date).enabled) choose(date, true);
      return;
    } else return;
    e.preventDefault();
    if (next < P.today) next = P.today;
    S.focus = next;
    if (next < S.month || next >= addMonths(S.month, 2)) {
      S.month = next < S.month ? monthOf(next) : addMonths(monthOf(next), -1);
      if (S.month < monthOf(P.today)) S.month = monthOf(P.today);
      drawCalendar(true);
    } else {
      months.querySelectorAll('[tabindex="0"]').forEach((c) => c.setAttribute('tabindex', '-1'));
      const cell = months.querySelector(`[data-date="${next}"]`);
      cell.setAttribute('tabindex', '0');
      cell.focus();
    }
  }

  function drawStatus(message) {
    if (message) status.textContent = message;
    else if (agesMissing() >= 0) status.textContent = t('child_age', { n: agesMissing() + 1 }) + ' ?';
    else if (!S.checkIn) status.textContent = t('pick_arrival');
    else if (!S.checkOut) status.textContent = t('pick_departure');
    else {
      const nights = nightsBetween(S.checkIn, S.checkOut);
      status.textContent = t(nights === 1 ? 'one_night' : 'selected',
        { nights, check_in: longDate(S.checkIn), check_out: longDate(S.checkOut) });
    }
    status.classList.toggle('warn', !!message);
  }

  function choose(date, byKeyboard) {
    S.focus = date;
    if (picking() === 'departure' && date > S.checkIn) {
      const check = stayCheck(S.checkIn, date);
      if (!check.rooms.length) {
        // Explain why, keep the arrival: the guest picks another departure.
        drawCalendar(byKeyboard).then(() => drawStatus(check.reason ? t(check.reason[0], check.reason[1]) : ''));
        return;
      }
      S.checkOut = date;
      datesChanged(byKeyboard);
      return;
    }
    const info = arrivalInfo(date);
    let why = null;
    if (info.soldOut) why = t('not_free', { check_in: longDate(date), check_out: longDate(addDays(date, 1)) });
    else if (info.noArrival) why = t('no_arrival_on', { date: longDate(date) });
    if (why) {
      S.checkIn = S.checkOut = null;
      forgetStay();
      drawCalendar(byKeyboard).then(() => drawStatus(why));
      return;
    }
    S.checkIn = date;
    S.checkOut = null;
    forgetStay();
    persist();
    drawCalendar(byKeyboard);
  }

  // The stay or party changed: what was priced and held for the old one no longer applies.
  function forgetStay() {
    releaseHold();
    S.quotes = [];
    roomsSection.hidden = true;
    checkoutSection.hidden = true;
    reportHeight();
  }

  function datesChanged(byKeyboard) {
    persist();
    forgetStay();
    emit('dates', { check_in: S.checkIn, check_out: S.checkOut, adults: S.adults, children: S.children.length });
    drawCalendar(false).then(() => loadRooms(byKeyboard));
  }

  function partyChanged() {
    persist();
    forgetStay();
    if (agesMissing() >= 0) {
      drawStatus();
      return;
    }
    drawCalendar(false).then(() => {
      if (S.checkIn && S.checkOut) {
        if (stayCheck(S.checkIn, S.checkOut).rooms.length) loadRooms(false);
        else drawStatus(t('not_free', { check_in: longDate(S.checkIn), check_out: longDate(S.checkOut) }));
      }
    });
  }

  /* ---------------------------------------------------------------- rooms and prices */

  async function loadRooms(moveFocus, notice) {
    const stay = { check_in: S.checkIn, check_out: S.checkOut };
    const free = stayCheck(S.checkIn, S.checkOut).rooms;
    roomsSection.hidden = false;
    roomsList.replaceChildren(el('li', { class: 'loading', text: t('loading') }));
    if (!notice) clearError();
    const body = (slug) => Object.assign({ room_type: slug, adults: S.adults, children: S.children }, stay);
    const priced = await Promise.all(free.map((slug) =>
      call('POST', `/properties/${SLUG}/quotes`, body(slug)).catch((error) => ({ error, room_type: slug }))));
    if (S.checkIn !== stay.check_in || S.checkOut !== stay.check_out) return; // the guest moved on
    S.quotes = priced.filter((q) => !q.error);
    drawRooms();
    if (notice) errorIn(roomsSection, notice[0], notice[1]);
    if (S.quotes.length) {
      emit('quote', Object.assign({
        adults: S.adults, children: S.children.length,
        quotes: S.quotes.map((q) => ({ room_type: q.room_type, total: q.total, due_now: q.due_now, currency: q.currency })),
      }, stay));
    }
    if (moveFocus) roomsHeading.focus();
    reportHeight();
  }

  function drawRooms() {
    if (!S.quotes.length) {
      roomsList.replaceChildren(el('li', { class: 'empty', text: t('no_rooms') }));
      return;
    }
    const order = P.room_types.map((r) => r.slug);
    const quotes = S.quotes.slice().sort((a, b) => order.indexOf(a.room_type) - order.indexOf(b.room_type));
    roomsList.replaceChildren(...quotes.map(drawRoom));
  }

  function drawRoom(quote) {
    const room = P.room_types.find((r) => r.slug === quote.room_type) || { name: quote.room_type, photos: [] };
    const nights = quote.nights.length;
    const chosen = S.hold && S.hold.quote.room_type === quote.room_type;
    const photo = room.photos[0];
    return el('li', { class: 'room' + (chosen ? ' chosen' : ''), 'data-testid': 'room-type', 'data-slug': quote.room_type },
      photo ? el('img', { src: photo.url, alt: photo.alt || '', width: 320, height: 200, loading: 'lazy' }) : null,
      el('div', { class: 'room-body' },
        el('h3', { text: room.name }),
        el('p', { class: 'muted', text: t('sleeps', { n: room.max_guests }) }),
        el('p', { text: room.description }),
        el('p', { class: 'total' },
          el('span', { class: 'amount', 'data-testid': 'total', text: money(quote.total, quote.currency) }),
          el('span', { class: 'muted', text: ' · ' + t('per_night', { price: money(Math.round(quote.total / nights), quote.currency) }) })),
        breakdown(quote),
        el('button', {
          type: 'button', class: 'primary', 'data-testid': 'choose', 'aria-pressed': chosen ? 'true' : 'false',
          text: chosen ? t('chosen') : t('choose'),
          'aria-label': (chosen ? t('chosen') : t('choose')) + ': ' + room.name,
          onclick: () => takeHold(quote),
        })));
  }

  // Each rule's effect over the stay, each night, and what is paid now or at the property.
  function breakdown(quote) {
    const c = quote.currency;
    const byRule = new Map();
    for (const night of quote.nights) {
      for (const line of night.lines) {
        const entry = byRule.get(line.rule) || { amount: 0, note: line.note, stage: line.stage };
        entry.amount += line.amount;
        byRule.set(line.rule, entry);
      }
    }
    const row = (label, amount, note, extra) => el('tr', { class: extra || '' },
      el('th', { scope: 'row' }, label, note ? el('small', { text: note }) : null),
      el('td', { text: amount }));
    const ruleRows = [...byRule.entries()].filter(([, e]) => e.amount !== 0).map(([rule, e]) =>
      row(rule.replace(/[_-]/g, ' '), (e.amount > 0 && e.stage !== 'base' ? '+' : '') + money(e.amount, c), e.note, 'rule'));
    const nightRows = quote.nights.map((n) => row(t('night_of', { date: shortDate(n.date) }), money(n.amount, c), null, 'night-row'));
    const stayRows = quote.stay_lines.map((l) => row(l.rule.replace(/[_-]/g, ' '),
      l.included ? money(l.amount, c) + ' (' + t('included') + ')' : money(l.amount, c),
      l.note + (l.payable === 'at_property' ? ' · ' + t('pay_at_property') : ''), 'rule'));
    const atProperty = quote.total - quote.due_now;
    return el('details', { class: 'breakdown', 'data-testid': 'breakdown' },
      el('summary', { text: t('breakdown') }),
      el('table', {}, el('tbody', {}, ...ruleRows, ...nightRows, ...stayRows,
        row(t('total'), money(quote.total, c), null, 'sum'),
        row(t('pay_now'), money(quote.due_now, c), null, 'sum'),
        atProperty ? row(t('pay_at_property'), money(atProperty, c), null, 'sum') : null)));
  }

  /* ---------------------------------------------------------------- the hold */

  let holding = null; // the request in flight, so two clicks never take two rooms

  async function takeHold(quote) {
    if (holding) return;
    if (S.hold && S.hold.quote.room_type === quote.room_type) { detailsHeading.focus(); return; }
    releaseHold(); // choosing another room lets the previous one go
    clearError();
    const stay = { check_in: S.checkIn, check_out: S.checkOut };
    holding = call('POST', `/properties/${SLUG}/holds`, Object.assign({
      room_type: quote.room_type, adults: S.adults, children: S.children, quote_hash: quote.quote_hash,
    }, stay));
    try {
      const hold = await holding;
      S.hold = hold;
      emit('hold', Object.assign({ room_type: quote.room_type, expires_at: hold.expires_at,
        total: hold.quote.total, currency: hold.quote.currency }, stay));
      drawRooms();
      openCheckout();
    } catch (error) {
      await holdRefused(error, quote);
    } finally {
      holding = null;
    }
  }

  async function holdRefused(error, quote) {
    if (error.error === 'price_changed' && error.quote) {
      // Show the new price where the old one was; the guest chooses again to accept it.
      S.quotes = S.quotes.map((q) => (q.room_type === quote.room_type ? error.quote : q));
      drawRooms();
      errorIn(roomsSection, t('price_changed', { amount: money(error.quote.total, error.quote.currency) }), 'price_changed');
    } else if (error.error === 'taken') {
      await refreshStay([t('taken') + ' ' + t('offer_free'), 'taken']);
    } else {
      errorIn(roomsSection, error.message || t('offline'), error.error);
    }
    reportHeight();
  }

  // Availability changed under the guest: fetch it again and offer what is still free.
  async function refreshStay(notice) {
    S.calendar = {};
    await drawCalendar(false);
    if (S.checkIn && S.checkOut) await loadRooms(false, notice);
    else if (notice) errorIn(dateSection, notice[0], notice[1]);
  }

  function releaseHold() {
    const hold = S.hold;
    if (!hold) return;
    S.hold = null;
    stopCountdown();
    call('DELETE', `/holds/${hold.id}`, undefined, { 'X-Hold-Token': hold.token }).catch(() => {
      /* it expires by itself anyway */
    });
  }

  // Leaving the page lets the room go at once. A beacon cannot set headers, so the token
  // travels in the body of the one endpoint that accepts it there.
  window.addEventListener('pagehide', () => {
    if (!S.hold || S.done) return;
    const body = new Blob([JSON.stringify({ token: S.hold.token })], { type: 'text/plain' });
    navigator.sendBeacon(`${API}/holds/${S.hold.id}/release`, body);
  });

  let timer = null;
  function startCountdown() {
    stopCountdown();
    const tick = () => {
      if (!S.hold) return stopCountdown();
      const left = Math.max(0, Date.parse(S.hold.expires_at) - (Date.now() + clockSkew));
      const minutes = Math.floor(left / 60000);
      const seconds = String(Math.floor((left % 60000) / 1000)).padStart(2, '0');
      countdown.textContent = t('held_for', { time: minutes + ':' + seconds });
      countdown.classList.toggle('urgent', left < 60000);
      if (left <= 0) holdExpired();
    };
    tick();
    timer = setInterval(tick, 1000);
  }
  function stopCountdown() {
    clearInterval(timer);
    timer = null;
  }

  function holdExpired() {
    if (paying) return; // the server extends a hold once payment starts; wait for its answer
    stopCountdown();
    S.hold = null; // it lapsed on the server: nothing to release
    checkoutSection.hidden = true;
    refreshStay([t('hold_expired'), 'hold_expired']);
  }

  /* ---------------------------------------------------------------- details and payment */

  let stripe = null; // { stripe, elements } once Stripe.js is loaded (Stripe provider only)

  function openCheckout() {
    const q = S.hold.quote;
    const room = P.room_types.find((r) => r.slug === q.room_type);
    chosenSummary.replaceChildren(el('p', {},
      el('strong', { text: room ? room.name : q.room_type }),
      ' · ' + t(q.nights.length === 1 ? 'one_night' : 'selected',
        { nights: q.nights.length, check_in: longDate(q.check_in), check_out: longDate(q.check_out) })));
    payButton.textContent = t('pay', { amount: money(q.due_now, q.currency) });
    payButton.disabled = false;
    checkoutSection.hidden = false;
    if (checkoutSection.contains(errorBox)) clearError();
    startCountdown();
    if (cfg.payment_provider === 'stripe') mountStripe(q);
    else paymentBox.replaceChildren(el('p', { class: 'muted', text: t('demo_payment') }));
    detailsHeading.focus();
    reportHeight();
  }

  // Stripe.js only now, at the payment step, and only with the Stripe provider.
  function loadStripeJs() {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    return new Promise((ok, fail) => {
      const script = document.createElement('script');
      script.src = 'https://js.stripe.com/v3/';
      script.onload = () => ok(window.Stripe);
      script.onerror = () => fail({ error: 'offline', message: t('offline') });
      document.head.append(script);
    });
  }

  async function mountStripe(quote) {
    try {
      const Stripe = await loadStripeJs();
      const client = Stripe(cfg.stripe_publishable_key, { locale: LANG });
      // Deferred intent: the PaymentIntent is created at checkout, for the held quote.
      const elements = client.elements({
        mode: 'payment', amount: quote.due_now, currency: quote.currency.toLowerCase(),
        captureMethod: 'manual',
      });
      const element = elements.create('payment');
      paymentBox.replaceChildren();
      element.mount(paymentBox);
      element.on('change', reportHeight);
      stripe = { client, elements };
    } catch (error) {
      errorIn(checkoutSection, error.message || t('offline'), error.error);
    }
  }

  function invalid() {
    const checks = [['name', 'guest_name'], ['email', 'guest_email']];
    for (const [name, label] of checks) {
      const input = form.querySelector('#guest-' + name);
      // A loose pre-check only (something@something): the server's rule decides.
      const bad = !input.value.trim() || (name === 'email' && !/^[^@\s]+@[^@\s]+$/.test(input.value.trim()));
      if (bad) return [input, t('fill_field', { field: t(label) })];
    }
    if (!acceptBox.checked) return [acceptBox, t('fill_field', { field: t('accept_policy') })];
    return null;
  }

  // The server named a guest field (`guest.email`): point the guest at it.
  function markField(name) {
    const input = typeof name === 'string' && name.startsWith('guest.')
      ? form.querySelector('#guest-' + name.slice('guest.'.length)) : null;
    if (!input) return;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  let paying = false;

  async function pay(event) {
    event.preventDefault();
    if (paying || !S.hold) return;
    const problem = invalid();
    if (problem) {
      problem[0].setAttribute('aria-invalid', 'true');
      errorIn(checkoutSection, problem[1], 'invalid');
      problem[0].focus();
      return;
    }
    clearError();
    paying = true;
    payButton.disabled = true;
    payButton.textContent = t('paying');
    const hold = S.hold;
    const headers = { 'X-Hold-Token': hold.token };
    try {
      if (stripe) {
        const submitted = await stripe.elements.submit();
        if (submitted.error) throw { error: 'payment', message: submitted.error.message };
      }
      const guest = {
        name: S.guest.name.trim(), email: S.guest.email.trim(), phone: S.guest.phone.trim() || null,
        language: LANG, note: S.guest.note.trim() || null,
      };
      const checkout = await call('POST', `/holds/${hold.id}/checkout`,
        { guest, accept_cancellation_policy: true }, headers);
      if (checkout.expires_at) S.hold.expires_at = checkout.expires_at; // payment grace
      if (checkout.provider === 'stripe') {
        const result = await stripe.client.confirmPayment({
          elements: stripe.elements, clientSecret: checkout.client_secret,
          confirmParams: { return_url: location.href }, redirect: 'if_required',
        });
        if (result.error) throw { error: 'payment', message: result.error.message };
      }
      const booking = await call('POST', `/holds/${hold.id}/confirm`, {}, headers);
      booked(booking, hold);
    } catch (error) {
      paying = false;
      payButton.disabled = false;
      payButton.textContent = t('pay', { amount: money(hold.quote.due_now, hold.quote.currency) });
      // The room went to someone else, or the hold ended: nothing was charged (the
      // service cancels the authorisation); say so and offer what is free now.
      const taken = error.error === 'taken' || error.error === 'room_taken';
      if (taken || ['hold_expired', 'hold_lost'].includes(error.error) || error.status === 404) {
        S.hold = null;
        stopCountdown();
        checkoutSection.hidden = true;
        await refreshStay([taken ? t('taken') + ' ' + t('offer_free') : t('hold_expired'),
          taken ? 'taken' : 'hold_expired']);
      } else {
        errorIn(checkoutSection, error.message || t('offline'), error.error);
        markField(error.field);
      }
      reportHeight();
    }
  }

  function booked(booking, hold) {
    paying = false;
    stopCountdown();
    S.done = booking;
    S.hold = null;
    const q = hold.quote;
    const room = P.room_types.find((r) => r.slug === q.room_type);
    doneSection.replaceChildren(
      el('h2', { id: 'done-h', tabindex: '-1', text: t('confirmed') }),
      el('p', {}, t('reference') + ': ', el('strong', { 'data-testid': 'booking-reference', text: booking.reference })),
      el('p', {}, el('strong', { text: room ? room.name : q.room_type }), ' · ' + longDate(q.check_in) + ' – ' + longDate(q.check_out)),
      el('p', { text: t('total') + ': ' + money(q.total, q.currency) +
        (q.total > q.due_now ? ' · ' + t('pay_at_property') + ': ' + money(q.total - q.due_now, q.currency) : '') }),
      el('p', { text: t('check_in_from', { time: P.check_in_time, time_out: P.check_out_time }) }),
      el('p', { class: 'muted', text: t('confirmation_sent', { email: S.guest.email }) }),
      // The same link as in the e-mail: view or cancel the booking (opens outside the widget).
      booking.manage_url ? el('p', {}, el('a', { href: booking.manage_url, target: '_blank', rel: 'noopener',
        'data-testid': 'manage-link', text: t('manage_booking') })) : '');
    partySection.hidden = dateSection.hidden = roomsSection.hidden = checkoutSection.hidden = true;
    doneSection.hidden = false;
    // What the guest typed is no longer needed in this tab.
    S.guest = { name: '', email: '', phone: '', note: '' };
    S.checkIn = S.checkOut = null;
    S.accept = false;
    persist();
    emit('booked', { reference: booking.reference, total: q.total, currency: q.currency });
    doneSection.querySelector('h2').focus();
    reportHeight();
  }

  /* ---------------------------------------------------------------- commands from the host page */

  window.addEventListener('message', (e) => {
    // Only the page that framed us, only our message shape.
    if (!PARENT || e.origin !== PARENT || e.source !== window.parent) return;
    const m = e.data;
    if (!m || m.innkeep !== 1 || m.type !== 'open' || typeof m.detail !== 'object' || !m.detail) return;
    const d = m.detail;
    const isDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);
    if (d.adults !== undefined) S.adults = clamp(d.adults, 1, maxGuests);
    if (Array.isArray(d.children)) S.children = d.children.map((a) => clamp(a, 0, 17)).slice(0, maxGuests - 1);
    adultsSelect.value = S.adults;
    childrenSelect.value = S.children.length;
    drawAges();
    if (isDate(d.check_in) && d.check_in >= P.today) {
      S.checkIn = d.check_in;
      S.checkOut = isDate(d.check_out) && d.check_out > d.check_in ? d.check_out : null;
      S.month = monthOf(S.checkIn);
      S.focus = S.checkIn;
    }
    if (S.checkIn && S.checkOut) datesChanged(false);
    else partyChanged();
  });

  /* ---------------------------------------------------------------- start */

  adultsSelect.value = S.adults;
  childrenSelect.value = S.children.length;
  drawAges();
  if ('ResizeObserver' in window) new ResizeObserver(reportHeight).observe(document.documentElement);
  drawCalendar(false).then(() => {
    if (S.checkIn && S.checkOut && stayCheck(S.checkIn, S.checkOut).rooms.length) loadRooms(false);
  });
})();
