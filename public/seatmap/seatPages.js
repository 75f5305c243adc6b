// @ts-check
// Which seats the grid shows as buttons: a small event whole, a section of a big one a page at a
// time (whole rows, at most PAGE_SEATS buttons; a row longer than that in pieces), and the pager
// that moves between pages. Seats come from the states already loaded: a page costs no request.

/** @typedef {import('./eventLayout.js').EventLayout} EventLayout */
/** @typedef {import('./seatStates.js').SeatStates} SeatStates */
/** @typedef {import('./types.js').GridRow} GridRow */

/** Events up to this size are shown whole, as buttons; bigger ones get the overview. */
export const SHOW_WHOLE_UP_TO = 2000;
/** Most seat buttons on screen at once: enough to see a block of rows, few enough to stay fast. */
export const PAGE_SEATS = 1000;

/**
 * @typedef {object} SeatRange seats `start` (inclusive) to `end` (exclusive), in layout order
 * @property {number} start
 * @property {number} end
 */

/**
 * The page of section `s` that starts at seat `from`: whole rows while they fit, else a piece of
 * one long row.
 * @param {EventLayout} layout
 * @param {number} s
 * @param {number} from
 * @returns {SeatRange}
 */
export function pageFrom(layout, s, from) {
  const section = layout.sections[s];
  const start = Math.max(section.start, Math.min(from, section.end - 1));
  let r = layout.rowAt(start);
  const row = layout.rows[r];
  if (start !== row.start || row.seats > PAGE_SEATS) {
    return { start, end: Math.min(row.start + row.seats, start + PAGE_SEATS) };
  }
  let end = start;
  while (
    r < section.firstRow + section.rowCount &&
    end + layout.rows[r].seats - start <= PAGE_SEATS
  ) {
    end += layout.rows[r].seats;
    r++;
  }
  return { start, end };
}

/**
 * Where the page before the one starting at `start` starts, in section `s`.
 * @param {EventLayout} layout
 * @param {number} s
 * @param {number} start
 */
export function previousPageStart(layout, s, start) {
  const section = layout.sections[s];
  let r = layout.rowAt(start);
  if (start > layout.rows[r].start) return Math.max(layout.rows[r].start, start - PAGE_SEATS);
  if (r <= section.firstRow) return start;
  const before = layout.rows[r - 1];
  if (before.seats > PAGE_SEATS) {
    return before.start + Math.floor((before.seats - 1) / PAGE_SEATS) * PAGE_SEATS;
  }
  let begin = start;
  while (r > section.firstRow && start - layout.rows[r - 1].start <= PAGE_SEATS) {
    r--;
    begin = layout.rows[r].start;
  }
  return begin;
}

/**
 * The rows of seats `range`, as the grid draws them.
 * @param {EventLayout} layout
 * @param {SeatStates} states
 * @param {SeatRange} range
 * @returns {GridRow[]}
 */
export function gridRows(layout, states, { start, end }) {
  /** @type {GridRow[]} */
  const rows = [];
  for (let r = layout.rowAt(start); r < layout.rows.length && layout.rows[r].start < end; r++) {
    const row = layout.rows[r];
    const section = layout.sections[row.section];
    const prefix = layout.prefixOf(row);
    const seats = [];
    for (let i = Math.max(start, row.start); i < Math.min(end, row.start + row.seats); i++) {
      const number = i - row.start + 1;
      seats.push({ id: prefix + String(number), state: states.stateAt(i), number });
    }
    const name = layout.grid ? `Row ${row.label}` : `Row ${row.label} of ${section.name}`;
    rows.push({ label: row.label, name, seats });
  }
  return rows;
}

/**
 * @typedef {object} PagerElements
 * @property {HTMLElement} pager
 * @property {HTMLElement} label
 * @property {HTMLButtonElement} previous
 * @property {HTMLButtonElement} next
 */

/**
 * Shows the pager for a section bigger than a page (hides it otherwise), with the seats on screen.
 * @param {PagerElements} elements
 * @param {EventLayout} layout
 * @param {number} s the section on screen, -1 for the whole event
 * @param {SeatRange} range
 */
export function updatePager({ pager, label, previous, next }, layout, s, { start, end }) {
  const section = layout.sections[s];
  pager.hidden = !section || (start === section.start && end === section.end);
  if (!section || pager.hidden) return;
  const total = (section.end - section.start).toLocaleString('en');
  const where = layout.sections.length > 1 ? ` in ${section.name}` : '';
  label.textContent = `Seats ${layout.idAt(start)}–${layout.idAt(end - 1)} of ${total}${where}`;
  previous.disabled = start === section.start;
  next.disabled = end >= section.end;
}
