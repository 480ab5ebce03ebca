// @ts-check
/* The page's configuration, as the service renders it into templates/widget/page.html. */

/** @typedef {{url: string, alt?: string}} Photo */
/** @typedef {{slug: string, name: string, description: string, max_guests: number,
 *   descriptions?: Record<string, string>, photos: Photo[]}} RoomType */
/** @typedef {{slug: string, name: string, today: string, currency: string,
 *   check_in_time: string, check_out_time: string, room_types: RoomType[],
 *   cancellation_policy: import('./plans.js').Policy,
 *   rate_plans?: import('./plans.js').RatePlan[], extras?: import('./plans.js').Extra[],
 *   inputs?: import('./plans.js').Question[], max_rooms_per_booking?: number}} Place */
/** The priced months a fresh widget shows first, rendered into the page for the party it
 * starts with, by the first day of each month: the widget draws them without asking.
 * @typedef {{adults: number, children: number[],
 *   months: Record<string, import('./api.js').CalendarAnswer>}} FirstMonths */
/** @typedef {{property: Place,
 *   options: {language: string, adults: number | null, children: number[], room_type: string | null},
 *   currency_exponents: Record<string, number>,
 *   parent_origin: string | null, widget_id: string, payment_provider: string,
 *   stripe_publishable_key: string | null, messages: Record<string, string>,
 *   first_months: FirstMonths | null}} Config */

/** @param {Document} doc @returns {Config} */
export function readConfig(doc) {
  const node = doc.getElementById('innkeep-config');
  if (!node || !node.textContent) throw new Error('the widget page has no #innkeep-config');
  return JSON.parse(node.textContent);
}
