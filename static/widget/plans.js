// @ts-check
/* Rate plans, extras and the rules' questions as the guest meets them: which plan a room
 * is offered under first, the one line of its cancellation terms, what is paid when, and
 * the choices sent with a quote. Pure: unit-tested by Node. */

/** @typedef {import('./api.js').Quote} Quote */
/** @typedef {{free_until_days: number, refund_percent: number, free_cancellation?: boolean}} Policy */
/** @typedef {{slug: string, names: Record<string, string>, included: Record<string, string>,
 *   room_types: string[], cancellation_policy: Policy, card_guarantee?: boolean}} RatePlan */
/** @typedef {{slug: string, names: Record<string, string>, price: {amount: number, currency: string},
 *   per: 'stay' | 'night' | 'guest' | 'guest_night', max_quantity: number | null,
 *   room_types: string[], rate_plans: string[], payable: 'now' | 'at_property'}} Extra */
/** @typedef {{name: string, type: 'integer' | 'boolean', minimum: number, maximum: number,
 *   default: number | boolean, label: Record<string, string>}} Question */
/** @typedef {{extras: Record<string, number>, inputs: Record<string, number | boolean>}} Additions */

/** A name in the guest's language, else the first one the owner wrote, else `fallback`.
 * @param {Record<string, string>} names @param {string} language @param {string} fallback */
export function nameIn(names, language, fallback) {
  return names[language] || Object.values(names)[0] || fallback;
}

/** A stay or night line's words for a reader of `language`: its own in that language, else
 * its English `note`. @param {{note: string, notes?: Record<string, string>}} line
 * @param {string} language */
export function noteIn(line, language) {
  return (line.notes && line.notes[language]) || line.note;
}

/** What each rule did over the stay's nights, in the order they first acted: the sum of its
 * night lines and its words for a reader of `language` (a rate plan's line and the built-in
 * night rules give them in every language; a rule that gives none, or a quote stored before
 * they did, shows its English `note`). Rules that changed nothing in all are left out. @param {Quote} quote @param {string} language
 * @returns {{rule: string, amount: number, note: string, stage: string}[]} */
export function nightRules(quote, language) {
  /** @type {Map<string, {rule: string, amount: number, note: string, stage: string}>} */
  const byRule = new Map();
  for (const night of quote.nights) {
    for (const line of night.lines) {
      const entry = byRule.get(line.rule) ||
        { rule: line.rule, amount: 0, note: noteIn(line, language), stage: line.stage };
      entry.amount += line.amount;
      byRule.set(line.rule, entry);
    }
  }
  return [...byRule.values()].filter((e) => e.amount !== 0);
}

/** The plan a room is offered under first: the cheapest, as the calendar's prices are
 * (the owner's order breaks a tie). @param {Quote[]} quotes @returns {Quote | null} */
export function cheapest(quotes) {
  let best = null;
  for (const quote of quotes) if (!best || quote.total < best.total) best = quote;
  return best;
}

/** The quote of `plan` among a room's quotes, else the cheapest one.
 * @param {Quote[]} quotes @param {string | null | undefined} plan */
export const planQuote = (quotes, plan) =>
  quotes.find((q) => plan && q.rate_plan === plan) || cheapest(quotes);

/** The cancellation terms as one sentence key and its values.
 * @param {Policy} policy @returns {{key: string, values: Record<string, number>}} */
export function cancellationLine(policy) {
  if (policy.free_cancellation === false) {
    return { key: policy.refund_percent ? 'plan_partial_refund' : 'plan_no_refund',
      values: { percent: policy.refund_percent } };
  }
  return { key: policy.refund_percent ? 'plan_free_then_part' : 'plan_free_until',
    values: { days: policy.free_until_days, percent: policy.refund_percent } };
}

/** The cancellation terms of the rooms held, each under its own plan's policy (a room on
 * no plan, or on a plan without a policy of its own, has the property's): one line when
 * they all share the same terms (`room` null), else one per room, in the guest's order.
 * @param {(string | null | undefined)[]} roomPlans each room's plan @param {RatePlan[]} plans
 * @param {Policy} house the property's policy
 * @returns {{room: number | null, policy: Policy}[]} */
export function roomPolicies(roomPlans, plans, house) {
  const policies = roomPlans.map((slug) => plans.find((p) => p.slug === slug)?.cancellation_policy || house);
  const same = (/** @type {Policy} */ a, /** @type {Policy} */ b) => a.free_until_days === b.free_until_days
    && a.refund_percent === b.refund_percent && (a.free_cancellation !== false) === (b.free_cancellation !== false);
  if (!policies.length || policies.every((p) => same(p, policies[0]))) return [{ room: null, policy: policies[0] || house }];
  return policies.map((policy, room) => ({ room, policy }));
}

/** What is paid when: now, each later instalment, and the rest at the property.
 * @param {Quote} quote
 * @returns {{now: number, later: {due: string, amount: number}[], atProperty: number}} */
export function paymentParts(quote) {
  const schedule = quote.pay_at_property ? [] : quote.payment_schedule || [];
  const later = schedule.slice(1);
  const online = quote.pay_at_property ? 0 : quote.due_now + later.reduce((sum, p) => sum + p.amount, 0);
  return { now: quote.pay_at_property ? 0 : quote.due_now, later, atProperty: quote.total - online };
}

/** The most of `extra` a party of `guests` may take (the API's own bound).
 * @param {Extra} extra @param {number} guests */
export function mostOf(extra, guests) {
  const perGuest = extra.per === 'guest' || extra.per === 'guest_night';
  if (perGuest) return extra.max_quantity === null ? guests : Math.min(extra.max_quantity, guests);
  return extra.max_quantity === null ? 1 : extra.max_quantity;
}

/** The extras and answers a quote carries: no zero quantity, no answer at its default,
 * nothing above what the party may take (a party that shrank keeps what still fits).
 * @param {Additions} chosen @param {Extra[]} extras @param {Question[]} questions
 * @param {number} guests @returns {Additions} */
export function additionsFor(chosen, extras, questions, guests) {
  /** @type {Additions} */
  const out = { extras: {}, inputs: {} };
  for (const extra of extras) {
    const quantity = Math.min(chosen.extras[extra.slug] || 0, mostOf(extra, guests));
    if (quantity > 0) out.extras[extra.slug] = quantity;
  }
  for (const question of questions) {
    const value = chosen.inputs[question.name];
    if (value === undefined || value === question.default) continue;
    if (typeof value === 'number') {
      out.inputs[question.name] = Math.min(question.maximum, Math.max(question.minimum, value));
    } else out.inputs[question.name] = value;
  }
  return out;
}

/** The extras that may be chosen for any of `roomTypes`. @param {Extra[]} extras
 * @param {string[]} roomTypes */
export const extrasFor = (extras, roomTypes) =>
  extras.filter((e) => e.room_types.some((r) => roomTypes.includes(r)));

/** "€138 now, €322 on 3 May" (and "€8 at the property"): the quote's payment terms in one
 * line. @param {Quote} quote @param {(key: string, values: Record<string, string>) => string} t
 * @param {(amount: number) => string} money @param {(date: string) => string} date */
export function termsLine(quote, t, money, date) {
  const parts = paymentParts(quote);
  const said = [];
  if (parts.now) said.push(t('part_now', { amount: money(parts.now) }));
  for (const part of parts.later) said.push(t('part_on', { amount: money(part.amount), date: date(part.due) }));
  if (parts.atProperty) said.push(t('part_at_property', { amount: money(parts.atProperty) }));
  return said.join(', ');
}
