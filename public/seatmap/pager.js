// @ts-check
// Big venues a page at a time: which seats a page holds, and the pager that moves between pages.
import { seatIdAt } from './seatIds.js';

/** Venues up to this size are shown whole; bigger ones a page at a time. */
const SHOW_WHOLE_UP_TO = 2000;
/** Seats per page on a big venue: enough to see a block of rows, few enough to stay fast. */
const PAGE_SEATS = 1000;

/**
 * Whether a venue of `total` seats is shown a page at a time.
 * @param {number} total
 */
export function isPaged(total) {
  return total > SHOW_WHOLE_UP_TO;
}

/**
 * Seats per page of a big venue: whole rows when rows are short enough.
 * @param {number} seatsPerRow
 */
export function pageSeats(seatsPerRow) {
  if (seatsPerRow > PAGE_SEATS) return PAGE_SEATS;
  return Math.floor(PAGE_SEATS / seatsPerRow) * seatsPerRow;
}

/**
 * How many seats the page from seat index `start` shows.
 * @param {number} start
 * @param {number} total
 * @param {number} seatsPerRow
 */
export function pageSizeFrom(start, total, seatsPerRow) {
  return Math.min(total - start, isPaged(total) ? pageSeats(seatsPerRow) : total);
}

/**
 * @typedef {object} PagerElements
 * @property {HTMLElement} pager
 * @property {HTMLElement} label
 * @property {HTMLButtonElement} previous
 * @property {HTMLButtonElement} next
 */

/**
 * Shows the pager for a big venue (hides it for a small one), with the seats on screen.
 * @param {PagerElements} elements
 * @param {{ start: number, size: number, total: number, seatsPerRow: number }} page
 */
export function updatePager({ pager, label, previous, next }, { start, size, total, seatsPerRow }) {
  const paged = isPaged(total);
  pager.hidden = !paged;
  if (!paged) return;
  const last = start + size - 1;
  label.textContent = `Seats ${seatIdAt(start, seatsPerRow)}–${seatIdAt(last, seatsPerRow)} of ${total.toLocaleString('en')}`;
  previous.disabled = start === 0;
  next.disabled = last >= total - 1;
}
