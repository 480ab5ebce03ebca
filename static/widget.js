/*! Innkeep loader: <script src="https://YOUR-INNKEEP/widget.js" data-property="SLUG" async>
 * One global, Innkeep(command, ...args); calls made before this file loads are queued by the
 * snippet in docs/widget.md and replayed here. Budget: 4 KB gzipped (a test measures it). */
(function (w, d) {
  'use strict';
  var script = d.currentScript;
  if (!script || (w.Innkeep && w.Innkeep.loaded)) return;
  var api = new URL(script.src).origin; // the API lives where this script came from
  var opts = script.dataset;
  var EVENTS = ['ready', 'dates', 'quote', 'hold', 'booked', 'error'];
  var queued = (w.Innkeep && w.Innkeep.q) || [];
  var handlers = {};
  var frames = []; // {el, host, ready, inbox}
  var started = false;
  var pending = []; // 'open' commands given before the widgets exist
  var check, frameOrigin, dialog, dialogHost;

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
    return check.widget_url + '?' + q;
  }

  function frame(host, over) {
    var el = d.createElement('iframe'), f = { el: el, host: host, ready: false, inbox: [] };
    el.src = widgetUrl(over, 'w' + frames.length);
    el.title = check.label;
    el.allow = 'payment *'; // wallets (Apple Pay, Google Pay) inside the frame
    frames.push(f);
    return el;
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

  function notice(host, text, code) {
    var root = shadow(host, 'p{font:15px/1.4 system-ui,sans-serif;color:#444;margin:8px 0}', 1), p = d.createElement('p');
    p.textContent = text;
    root.appendChild(p);
    emit(host, 'error', { version: 1, code: code, message: text });
  }

  function openDialog() {
    if (!dialog) return;
    if (!dialog.querySelector('iframe')) dialog.appendChild(frame(dialogHost, {}));
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

  function start(answer) {
    var spots = d.querySelectorAll('[data-innkeep]');
    check = answer;
    started = true;
    if (!answer || !answer.allowed) {
      var text = (answer && (answer.notice || answer.message)) || 'Booking is not available right now.';
      var code = answer && answer.allowed === false ? 'not_allowed' : 'unavailable';
      if (!spots.length) { spots = [d.createElement('div')]; script.after(spots[0]); }
      spots.forEach(function (spot) { notice(spot, text, code); });
      return;
    }
    frameOrigin = new URL(answer.widget_url).origin;
    if (spots.length) spots.forEach(function (spot) { shadow(spot, '', 1).appendChild(frame(spot, spot.dataset)); });
    else buildDialog();
    pending.splice(0).forEach(function (args) { Innkeep.apply(null, args); });
  }

  w.addEventListener('message', function (e) {
    var m = e.data, f;
    // Only our widget pages, only messages of our shape.
    if (e.origin !== frameOrigin || !m || m.innkeep !== 1 || typeof m.type !== 'string') return;
    f = frames.find(function (x) { return x.el.contentWindow === e.source; });
    if (!f) return;
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
  });

  function Innkeep(command, a, b) {
    if (command === 'on' || command === 'off') {
      var name = String(a).replace(/^innkeep:/, ''), list = handlers[name] = handlers[name] || [];
      if (command === 'on' && typeof b === 'function') list.push(b);
      else if (list.indexOf(b) >= 0) list.splice(list.indexOf(b), 1);
    } else if (command === 'open') {
      if (!started) { pending.push([command, a]); return; }
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
  Promise.all([asked, parsed]).then(function (r) { start(r[0]); });
})(window, document);
