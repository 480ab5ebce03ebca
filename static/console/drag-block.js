// @ts-check
/* Drag to block, on the console's tape chart: press on a free night, move along the unit's
 * row with a mouse or a pen, let go, and the block form below the chart is filled in with
 * the unit and the first and last night, its reason field focused; the owner then says why
 * and presses Block, as after picking a night. Only free nights next to each other are
 * taken: the range stops before a booking, a block or a hold. A press and release on one
 * night is the usual pick (the night's link), and without this script, or with a keyboard
 * or a finger (a finger scrolls the chart), picking works as before. */

/** The nights a drag covers in one row: from the cell at `from` towards the cell at `to`
 * (either way), stopping before the first cell that is not a free night.
 * @param {(string | null)[]} nights each cell of the row in order: its night (YYYY-MM-DD)
 *   when free, null when taken
 * @param {number} from @param {number} to
 * @returns {{ first: string, last: string, cells: number[] } | null} null when `from` is
 *   not a free night */
export function span(nights, from, to) {
  const start = nights[from];
  if (start == null) return null;
  const step = to >= from ? 1 : -1;
  const cells = [from];
  for (let i = from + step; step > 0 ? i <= to : i >= to; i += step) {
    if (nights[i] == null) break;
    cells.push(i);
  }
  cells.sort((a, b) => a - b);
  const first = /** @type {string} */ (nights[cells[0]]);
  const last = /** @type {string} */ (nights[cells[cells.length - 1]]);
  return { first, last, cells };
}

/** The night of a free cell, else null.
 * @param {Element} cell @returns {string | null} */
function nightOf(cell) {
  const link = cell.querySelector('a[data-night]');
  return cell.classList.contains('free') && link ? link.getAttribute('data-night') : null;
}

/** Wire the chart in `root` (the page's document).
 * @param {Document} root */
export function enableDragToBlock(root) {
  const chart = root.querySelector('[data-testid="tape-chart"]');
  if (!chart) return;
  for (const hint of root.querySelectorAll('[data-drag-hint]')) hint.removeAttribute('hidden');
  /** @type {{ row: HTMLTableRowElement, cells: HTMLTableCellElement[], from: number,
   *   covered: { first: string, last: string, cells: number[] } | null } | null} */
  let drag = null;
  let swallowClick = false;

  /** @param {number} x @param {number} y */
  const cellAt = (x, y) => root.elementFromPoint(x, y)?.closest('td') ?? null;

  const clear = () => {
    for (const cell of chart.querySelectorAll('td.dragging')) cell.classList.remove('dragging');
  };

  /** @param {PointerEvent} event */
  const follow = (event) => {
    if (!drag) return;
    const cell = cellAt(event.clientX, event.clientY);
    if (!cell || cell.parentElement !== drag.row) return;
    const index = drag.cells.indexOf(/** @type {HTMLTableCellElement} */ (cell));
    drag.covered = span(drag.cells.map(nightOf), drag.from, index);
    clear();
    for (const i of drag.covered?.cells ?? []) drag.cells[i].classList.add('dragging');
  };

  chart.addEventListener('pointerdown', (event) => {
    const pointer = /** @type {PointerEvent} */ (event);
    if (pointer.pointerType === 'touch' || pointer.button !== 0) return;
    const cell = /** @type {Element} */ (pointer.target).closest('td.free');
    const row = cell?.parentElement;
    if (!cell || !(row instanceof HTMLTableRowElement)) return;
    const cells = Array.from(row.cells);
    drag = { row, cells, from: cells.indexOf(/** @type {HTMLTableCellElement} */ (cell)), covered: null };
    clear();
    pointer.preventDefault(); // no text selection, no dragging the link away
  });
  // A link dragged out of the page would end the drag: keep it in the chart.
  chart.addEventListener('dragstart', (event) => event.preventDefault());
  root.addEventListener('pointermove', (event) => follow(/** @type {PointerEvent} */ (event)));
  root.addEventListener('pointerup', (event) => {
    if (!drag) return;
    follow(/** @type {PointerEvent} */ (event));
    const { covered, row } = drag;
    drag = null;
    if (!covered || covered.cells.length < 2) {
      clear(); // one night: the link's own click picks it, as without this script
      return;
    }
    swallowClick = true;
    fill(root, row.getAttribute('data-unit') ?? '', covered.first, covered.last);
  });
  root.addEventListener('keydown', (event) => {
    if (drag && /** @type {KeyboardEvent} */ (event).key === 'Escape') {
      drag = null;
      clear();
    }
  });
  // After a drag the release may land on a night's link: that is not a pick.
  chart.addEventListener('click', (event) => {
    if (swallowClick) {
      swallowClick = false;
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  root.addEventListener('pointerdown', () => { swallowClick = false; }, true);
}

/** Fill the block form (it may have been swapped in by htmx since the page loaded).
 * @param {Document} root @param {string} unit @param {string} first @param {string} last */
function fill(root, unit, first, last) {
  const select = /** @type {HTMLSelectElement | null} */ (root.getElementById('block-unit'));
  const from = /** @type {HTMLInputElement | null} */ (root.getElementById('block-first'));
  const to = /** @type {HTMLInputElement | null} */ (root.getElementById('block-last'));
  const reason = /** @type {HTMLInputElement | null} */ (root.getElementById('block-reason'));
  if (!select || !from || !to || !reason) return;
  select.value = unit;
  from.value = first;
  to.value = last;
  reason.scrollIntoView({ block: 'center' });
  reason.focus();
}

if (typeof document !== 'undefined') enableDragToBlock(document);
