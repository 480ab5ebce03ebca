// @ts-check
/* "Add to your stay": the extras a guest may choose and the questions the pricing rules
 * ask (how many pets?), as a short form; every change is reported, the caller re-prices. */

import { el } from './dom.js';
import { mostOf, nameIn } from './plans.js';

/** @typedef {import('./plans.js').Extra} Extra */
/** @typedef {import('./plans.js').Question} Question */
/** @typedef {import('./plans.js').Additions} Additions */

/** One form per room where a group chooses for each (`group`): `ids` starts its controls'
 * ids, which must differ on the page, and its test ids are the group's.
 * @param {{language: string, t: (key: string, values?: Record<string, string | number>) => string,
 *   money: (amount: number, currency: string) => string, chosen: Additions,
 *   changed: () => void, ids?: string, group?: boolean}} view */
export function extrasView({ language, t, money, chosen, changed, ids = '', group = false }) {
  const extraId = group ? { 'data-testid': 'group-extra' } : { 'data-testid': 'extra' };
  const inputId = group ? { 'data-testid': 'group-input' } : { 'data-testid': 'input' };
  const fields = el('div', { class: 'fields extras' });
  const section = el('fieldset', { class: 'additions', hidden: true },
    el('legend', { text: t('add_to_stay') }), fields);

  /** A count from 0 to `most`: a checkbox for one, a list beyond.
   * @param {import('./dom.js').Attrs} attrs its id, test id and slug @param {number} low
   * @param {number} most @param {number} value @param {(n: number) => void} set */
  function count(attrs, low, most, value, set) {
    if (most - low === 1) {
      return el('input', { type: 'checkbox', ...attrs, checked: value > low,
        onchange: (/** @type {Event} */ e) => set(/** @type {HTMLInputElement} */ (e.target).checked ? most : low) });
    }
    const select = el('select', { ...attrs,
      onchange: (/** @type {Event} */ e) => set(+(/** @type {HTMLSelectElement} */ (e.target).value)) });
    for (let n = low; n <= most; n++) select.append(el('option', { value: n, text: n }));
    select.value = String(Math.min(most, Math.max(low, value)));
    return select;
  }

  /** @param {Extra} extra @param {number} guests */
  function extraField(extra, guests) {
    const id = ids + 'extra-' + extra.slug;
    const most = mostOf(extra, guests);
    const control = count({ id, ...extraId, 'data-slug': extra.slug }, 0, most, chosen.extras[extra.slug] || 0, (n) => {
      chosen.extras[extra.slug] = n;
      changed();
    });
    const price = money(extra.price.amount, extra.price.currency) + ' ' + t('each_' + extra.per)
      + (extra.payable === 'at_property' ? ' · ' + t('pay_at_property') : '');
    const check = control instanceof HTMLInputElement;
    return el('label', { for: id, class: check ? 'check' : '' }, check ? control : null,
      el('span', {}, nameIn(extra.names, language, extra.slug), el('small', { class: 'muted', text: ' ' + price })),
      check ? null : control);
  }

  /** @param {Question} question */
  function questionField(question) {
    const id = ids + 'input-' + question.name;
    const given = chosen.inputs[question.name];
    const boolean = question.type === 'boolean';
    const low = boolean ? 0 : question.minimum;
    const most = boolean ? 1 : question.maximum;
    const value = given === undefined ? question.default : given;
    const control = count({ id, ...inputId, 'data-slug': question.name }, low, most, +value, (n) => {
      chosen.inputs[question.name] = boolean ? n > 0 : n;
      changed();
    });
    const check = control instanceof HTMLInputElement;
    return el('label', { for: id, class: check ? 'check' : '' }, check ? control : null,
      el('span', { text: nameIn(question.label, language, question.name) }), check ? null : control);
  }

  return {
    section,
    /** Shows what may be added for a party of `guests` (nothing: the form hides).
     * @param {Extra[]} extras @param {Question[]} questions @param {number} guests */
    draw(extras, questions, guests) {
      fields.replaceChildren(...extras.map((e) => extraField(e, guests)), ...questions.map(questionField));
      section.hidden = !extras.length && !questions.length;
    },
  };
}
