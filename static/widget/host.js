// @ts-check
/* Events to the page that framed us, and the one command it may send. Never "*": only the
 * parent origin the server checked against the property's list. */

import { isDate } from './dates.js';

/** The host page's `Innkeep('open', …)`, checked: what it may set, nothing else.
 * @typedef {{adults?: unknown, children?: unknown[], check_in?: string, check_out?: string}} OpenCommand */

/** The command in a message, or null when it is not ours or not well formed.
 * @param {unknown} data @returns {OpenCommand | null} */
export function openCommandIn(data) {
  if (!data || typeof data !== 'object') return null;
  const m = /** @type {Record<string, unknown>} */ (data);
  if (m.innkeep !== 1 || m.type !== 'open' || !m.detail || typeof m.detail !== 'object') return null;
  const d = /** @type {Record<string, unknown>} */ (m.detail);
  /** @type {OpenCommand} */
  const command = {};
  if (d.adults !== undefined) command.adults = d.adults;
  if (Array.isArray(d.children)) command.children = d.children;
  if (isDate(d.check_in)) {
    command.check_in = d.check_in;
    if (isDate(d.check_out) && d.check_out > d.check_in) command.check_out = d.check_out;
  }
  return command;
}

/** @param {Window} frame the widget's own window @param {string | null} parentOrigin */
export function createHost(frame, parentOrigin) {
  const framed = parentOrigin !== null && frame.parent !== frame;
  let lastHeight = -1;

  /** @param {Record<string, unknown>} message */
  const post = (message) => {
    if (framed && parentOrigin) frame.parent.postMessage({ innkeep: 1, ...message }, parentOrigin);
  };

  return {
    /** An `innkeep:<type>` event for the host page; every payload says its version.
     * @param {string} type @param {Record<string, unknown>} detail */
    emit(type, detail) {
      post({ type, detail: { version: 1, ...detail } });
    },
    /** The frame's height, when it changed, so the loader sizes the iframe. */
    reportHeight() {
      const height = Math.ceil(frame.document.documentElement.getBoundingClientRect().height);
      if (height === lastHeight) return;
      lastHeight = height;
      post({ type: 'resize', height });
    },
    /** The guest pressed Escape in the widget: the loader closes the dialog the widget is
     * in (an inline widget stays), as Escape outside the frame would. */
    escape() {
      post({ type: 'escape' });
    },
    /** @param {(command: OpenCommand) => void} handle */
    onOpen(handle) {
      frame.addEventListener('message', (e) => {
        // Only the page that framed us, only our message shape.
        if (!framed || e.origin !== parentOrigin || e.source !== frame.parent) return;
        const command = openCommandIn(e.data);
        if (command) handle(command);
      });
    },
  };
}

/** @typedef {ReturnType<typeof createHost>} Host */
