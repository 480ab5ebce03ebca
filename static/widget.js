/*! Innkeep loader: <script src="https://YOUR-INNKEEP/widget.js" data-property="SLUG" async>
 * One global, Innkeep(command, ...args); calls made before this file loads are queued by the
 * snippet in docs/widget.md and replayed here. Budget: 4 KB gzipped (a test measures it). */
// The embed check decides whether anything is shown. Where the service said, when it sent
// this file, that the property allows this page's origin (`hinted`), the widget pages are
// asked for beside the check, hidden until it allows them: one round trip, not two
// (decision 17). Inline widgets far below the fold are made as they near the viewport; the
// dialog's page when the guest points at or focuses its button.
(function (w, d) {
  'use strict';
  var script = d.currentScript;
  if (!script || (w.Innkeep && w.Innkeep.loaded)) return;
  var api = new URL(script.src).origin; // the API lives where this script came from
  var opts = script.dataset;
  var slug = opts.property || '';
  var hinted = /*innkeep:allowed*/[];
  var EVENTS = ['ready', 'dates', 'quote', 'hold', 'booked', 'error'];
  var queued = (w.Innkeep && w.Innkeep.q) || [];
  var handlers = {};
  var frames = []; // {el, host, over, id, ready, inbox}
  var state = 0; // 0 asking, 1 allowed (frames shown, their messages heard), 2 refused
  var pending = []; // 'open' commands given before the check answered
  var held = []; // messages of frames not yet allowed
  var lazy = []; // makers of frames not made yet
  var pageUrl = api + '/embed/' + encodeURIComponent(slug), frameOrigin = api;
  var check, dialog, dialogHost;

  function emit(host, type, detail) {
    host.dispatchEvent(new CustomEvent('innkeep:' + type, { detail: detail, bubbles: true }));
    (handlers[type] || []).forEach(function (fn) {
      try { fn(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function send(frame, type, detail) {
    if (!frame.ready) { frame.inbox.push([type, detail]); return; }
    // Always name the target origin: the widget page, never "*".
    frame.el.contentWindow.postMessage({ innkeep: 1, type: type, detail: detail }, frameOrigin);
  }

  // Options: the script tag's data-*, overridden by a placeholder's own data-*.
  function widgetUrl(over, id) {
    var o = Object.assign({}, opts, over), q = new URLSearchParams({ origin: location.origin, id: id });
    [['lang', o.locale], ['accent', o.accent], ['font', o.font], ['radius', o.radius],
      ['adults', o.adults], ['children', o.children], ['room', o.roomType]]
      .forEach(function (p) { if (p[1]) q.set(p[0], p[1]); });
    return pageUrl + '?' + q;
  }

  function frame(host, over) {
    var el = d.createElement('iframe'), f = { el: el, host: host, over: over, id: 'w' + frames.length, ready: false, inbox: [] };
    el.src = widgetUrl(over, f.id);
    el.allow = 'payment *'; // wallets (Apple Pay, Google Pay) inside the frame
    if (state === 1) el.title = check.label; else el.style.visibility = 'hidden';
    frames.push(f);
    return el;
  }

  // A spot's frame, made once the spot is within about a screen of the viewport.
  function place(spot) {
    var io, made = 0, make = function () {
      if (made++ || state === 2) return;
      if (io) io.disconnect();
      root(spot).appendChild(frame(spot, spot.dataset));
    };
    if (spot.innkeepMake) return;
    spot.innkeepMake = make;
    lazy.push(make);
    var box = root(spot).host.getBoundingClientRect(); // near already: no frame's wait
    if (!w.IntersectionObserver || (box.top < innerHeight + 1000 && box.bottom > -1000)) return make();
    io = new IntersectionObserver(function (seen) {
      if (seen.some(function (x) { return x.isIntersecting; })) make();
    }, { rootMargin: '1000px' });
    io.observe(root(spot).host);
  }

  // The page's rules still match the elements we host in (`*`, `div`, `[data-innkeep]`, all
  // `!important`): pin what decides the widget's size, edges and visibility inline and
  // `!important`, which no stylesheet beats. What the owner wrote in the element's own style
  // attribute stays: that is on purpose. The width follows the container's.
  var PIN = 'display:block;visibility:visible;opacity:1;padding:0;border:0;outline:0;box-shadow:none;' +
    'width:auto;min-width:0;max-width:none;height:auto;min-height:0;max-height:none;aspect-ratio:auto;' +
    'overflow:visible;position:static;float:none;transform:none;translate:none;scale:none;rotate:none;' +
    'filter:none;clip-path:none;mask:none;contain:none;content-visibility:visible;zoom:1;columns:auto;' +
    'pointer-events:auto;writing-mode:horizontal-tb';
  function pin(el) {
    PIN.split(';').forEach(function (rule) {
      var p = rule.split(':');
      if (!el.style.getPropertyValue(p[0])) el.style.setProperty(p[0], p[1], 'important');
    });
  }

  // A shadow root: the host page's CSS cannot reach what is inside, nor ours leak out; what
  // the page lets the host inherit stops at `all:initial`. The button and dialog are closed
  // to the page's scripts too; an inline frame or a notice stays open so that QA tools can
  // find it (docs/widget.md).
  function shadow(host, css, open) {
    var root = host.attachShadow({ mode: open ? 'open' : 'closed' }), style = d.createElement('style');
    pin(host);
    style.textContent = ':host{all:initial;display:block}:host::before,:host::after{content:none!important}' +
      'iframe,p,.open,.x{all:initial}iframe{border:0;width:100%;height:600px;display:block}' + css;
    root.appendChild(style);
    return root;
  }

  // An inline spot's shadow root: open, for a frame or a notice.
  function root(spot) {
    return spot.shadowRoot || shadow(spot, 'p{font:15px/1.4 system-ui,sans-serif;color:#444;margin:8px 0}', 1);
  }

  function notice(host, text, code) {
    var p = d.createElement('p');
    p.textContent = text;
    root(host).appendChild(p);
    emit(host, 'error', { version: 1, code: code, message: text });
  }

  function prefetch() {
    if (dialog && !dialog.querySelector('iframe')) dialog.appendChild(frame(dialogHost, {}));
  }

  function openDialog() {
    if (!dialog) return;
    prefetch();
    if (!dialog.open) dialog.showModal();
  }

  function buildDialog() {
    dialogHost = d.createElement('div');
    d.body.appendChild(dialogHost);
    var root = shadow(dialogHost,
      '.open{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:600 16px system-ui,sans-serif;' +
      'padding:14px 22px;border:0;border-radius:var(--r,8px);background:var(--a,#1f4e5f);color:#fff;cursor:pointer;' +
      'box-shadow:0 4px 14px #0004}.open:focus-visible,.x:focus-visible{outline:3px solid #f0b429;outline-offset:2px}' +
      'dialog{width:min(760px,100vw);max-width:100vw;max-height:calc(100vh - 32px);padding:0;border:0;border-radius:12px;overflow:auto}' +
      'dialog::backdrop{background:#0008}.bar{position:sticky;top:0;display:flex;justify-content:flex-end;padding:4px;background:#fff}' +
      '.x{width:40px;height:40px;border:0;border-radius:50%;background:#fff;font:24px system-ui;cursor:pointer}' +
      '@media(max-width:600px){dialog{width:100vw;height:100%;max-height:100%;margin:0;border-radius:0}}');
    var button = d.createElement('button'), close = d.createElement('button');
    if (opts.accent) dialogHost.style.setProperty('--a', opts.accent);
    if (opts.radius) dialogHost.style.setProperty('--r', parseInt(opts.radius, 10) + 'px');
    button.className = 'open';
    button.textContent = check.label;
    button.onclick = openDialog;
    // Pointing at or focusing the button asks for the page: it is there by the click.
    button.onpointerenter = button.onfocus = button.ontouchstart = prefetch;
    dialog = d.createElement('dialog');
    dialog.setAttribute('aria-label', check.label);
    close.className = 'x';
    close.textContent = '×';
    close.setAttribute('aria-label', check.close);
    close.onclick = function () { dialog.close(); };
    var bar = d.createElement('div');
    bar.className = 'bar';
    bar.appendChild(close);
    dialog.appendChild(bar);
    root.append(button, dialog);
  }

  function spots() {
    return d.querySelectorAll('[data-innkeep]');
  }

  function start(answer) {
    var list = spots();
    check = answer;
    if (!answer || !answer.allowed) {
      state = 2;
      var text = (answer && (answer.notice || answer.message)) || 'Booking is not available right now.';
      var code = answer && answer.allowed === false ? 'not_allowed' : 'unavailable';
      // Pages asked for beside the check are never shown, nor heard.
      frames.splice(0).forEach(function (f) { f.el.remove(); });
      held = [];
      if (!list.length) { list = [d.createElement('div')]; script.after(list[0]); }
      list.forEach(function (spot) { notice(spot, text, code); });
      return;
    }
    if (answer.widget_url !== pageUrl) { // the service lives elsewhere: ask there
      pageUrl = answer.widget_url;
      frameOrigin = new URL(pageUrl).origin;
      held = [];
      frames.forEach(function (f) { f.el.src = widgetUrl(f.over, f.id); });
    }
    state = 1;
    frames.forEach(function (f) { f.el.title = answer.label; f.el.style.removeProperty('visibility'); });
    held.splice(0).forEach(function (x) { hear(x[0], x[1]); });
    if (list.length) list.forEach(place);
    else buildDialog();
    pending.splice(0).forEach(function (args) { Innkeep.apply(null, args); });
  }

  w.addEventListener('message', function (e) {
    var m = e.data, f;
    // Only our widget pages, only messages of our shape.
    if (e.origin !== frameOrigin || !m || m.innkeep !== 1 || typeof m.type !== 'string') return;
    f = frames.find(function (x) { return x.el.contentWindow === e.source; });
    if (!f) return;
    if (state === 1) hear(f, m); else held.push([f, m]);
  });

  function hear(f, m) {
    // Escape pressed inside the dialog's widget: its key never reaches our dialog.
    if (m.type === 'escape') { if (f.host === dialogHost && dialog.open) dialog.close(); return; }
    if (m.type === 'resize') {
      if (typeof m.height === 'number' && m.height > 0) f.el.style.height = Math.ceil(m.height) + 'px';
      return;
    }
    if (EVENTS.indexOf(m.type) < 0 || typeof m.detail !== 'object' || !m.detail) return;
    if (m.type === 'ready' && !f.ready) {
      f.ready = true;
      f.inbox.splice(0).forEach(function (x) { send(f, x[0], x[1]); });
    }
    emit(f.host, m.type, m.detail);
  }

  function Innkeep(command, a, b) {
    if (command === 'on' || command === 'off') {
      var name = String(a).replace(/^innkeep:/, ''), list = handlers[name] = handlers[name] || [];
      if (command === 'on' && typeof b === 'function') list.push(b);
      else if (list.indexOf(b) >= 0) list.splice(list.indexOf(b), 1);
    } else if (command === 'open') {
      if (state !== 1) { if (!state) pending.push([command, a]); return; }
      lazy.splice(0).forEach(function (make) { make(); }); // every widget, now
      openDialog();
      frames.forEach(function (f) { send(f, 'open', a || {}); });
    } else if (command === 'close') {
      if (dialog && dialog.open) dialog.close();
    }
  }
  Innkeep.loaded = true;
  w.Innkeep = Innkeep;
  queued.forEach(function (args) { Innkeep.apply(null, args); });

  var url = api + '/api/v1/properties/' + encodeURIComponent(opts.property || '') + '/embed' +
    (opts.locale ? '?lang=' + encodeURIComponent(opts.locale) : '');
  var asked = fetch(url, { credentials: 'omit' }).then(function (r) { return r.json(); }).catch(function () { return null; });
  // Placeholders may come after this (async) script in the page: wait for the document.
  var parsed = new Promise(function (ok) {
    if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', ok); else ok();
  });
  parsed.then(function () { if (!state && hinted.indexOf(slug) >= 0) spots().forEach(place); });
  Promise.all([asked, parsed]).then(function (r) { start(r[0]); });
})(window, document);
