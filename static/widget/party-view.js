// @ts-check
/* Who is coming: adults, children and each child's age. */

import { el } from './dom.js';

/** @typedef {import('./state.js').Choices} Choices */

/** @param {{t: (key: string, values?: Record<string, string | number>) => string,
 *   maxGuests: number, choices: Choices, changed: () => void}} view */
export function partyView({ t, maxGuests, choices, changed }) {
  const adults = el('select', { id: 'adults', 'data-testid': 'adults' });
  for (let n = 1; n <= maxGuests; n++) adults.append(el('option', { value: n, text: n }));
  const children = el('select', { id: 'children', 'data-testid': 'children' });
  for (let n = 0; n < maxGuests; n++) children.append(el('option', { value: n, text: n }));
  const ages = el('div', { class: 'ages' });
  const section = el('section', { class: 'party', 'aria-labelledby': 'party-h' },
    el('h2', { id: 'party-h', text: t('party') }),
    el('div', { class: 'fields' },
      el('label', { for: 'adults' }, t('adults'), adults),
      el('label', { for: 'children' }, t('children'), children)),
    ages);

  /** @param {number | null} age @param {number} i */
  function ageOf(age, i) {
    const id = 'age-' + i;
    const select = el('select', { id, 'data-testid': 'child-age', required: true,
      onchange: (/** @type {Event} */ e) => {
        const value = /** @type {HTMLSelectElement} */ (e.target).value;
        choices.children[i] = value === '' ? null : +value;
        changed();
      } },
    el('option', { value: '', text: '–' }));
    for (let a = 0; a <= 17; a++) select.append(el('option', { value: a, text: a }));
    select.value = age === null || age === undefined ? '' : String(age);
    return el('label', { for: id }, t('child_age', { n: i + 1 }), select);
  }

  function draw() {
    adults.value = String(choices.adults);
    children.value = String(choices.children.length);
    ages.replaceChildren(...choices.children.map(ageOf));
  }

  adults.addEventListener('change', () => {
    choices.adults = +adults.value;
    changed();
  });
  children.addEventListener('change', () => {
    const n = +children.value;
    choices.children = choices.children.slice(0, n);
    while (choices.children.length < n) choices.children.push(null);
    draw();
    changed();
  });
  return { section, draw };
}
