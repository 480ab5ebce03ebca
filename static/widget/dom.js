// @ts-check
/* One helper to build elements: attributes, `text`, `on…` listeners, children. */

/** @typedef {Record<string, string | number | boolean | null | undefined | ((e: any) => void)>} Attrs */

/** @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Attrs} [attrs] @param {(Node | string | null | undefined | false)[]} children
 * @returns {HTMLElementTagNameMap[K]} */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
