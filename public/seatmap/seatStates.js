// @ts-check
// Every seat's state, one byte per seat in layout order, with counts per section kept as seats
// change. Loaded from the seats that are not available (`GET …/seats?state=locked|booked`, a page
// of 10,000 at a time): a fresh 100,000-seat event is two small requests, not a hundred pages.
import { getJson } from './api.js';

/** @typedef {import('./types.js').SeatState} SeatState */
/** @typedef {import('./types.js').SeatPage} SeatPage */
/** @typedef {import('./types.js').Summary} Summary */
/** @typedef {import('./eventLayout.js').EventLayout} EventLayout */

/** The states in byte order: a seat's byte is its state's index here. */
export const STATES = /** @type {const} */ (['available', 'locked', 'booked']);
/** The server's largest page of `GET …/seats` (`MAX_PAGE_SIZE`). */
const PAGE = 10_000;

export class SeatStates {
  /** @param {EventLayout} layout */
  constructor(layout) {
    this.layout = layout;
    this.bytes = new Uint8Array(layout.size);
    /** @type {Summary[]} counts of each section */
    this.sectionCounts = layout.sections.map((s) => counts(s.end - s.start));
    /** counts of the whole event */
    this.counts = counts(layout.size);
  }

  /**
   * The state of seat `index`.
   * @param {number} index
   * @returns {SeatState}
   */
  stateAt(index) {
    return STATES[this.bytes[index]];
  }

  /**
   * Records seat `index`'s state; true when it changed.
   * @param {number} index
   * @param {SeatState} state
   */
  set(index, state) {
    const byte = STATES.indexOf(state);
    const old = this.bytes[index];
    if (byte < 0 || old === byte) return false;
    this.bytes[index] = byte;
    const section = this.sectionCounts[this.layout.sectionAt(index)];
    for (const tally of [section, this.counts]) {
      tally[STATES[old]] -= 1;
      tally[state] += 1;
    }
    return true;
  }

  /**
   * Reads every seat that is not available from `base` (`/events/:eventId`) and records it; the
   * seats it does not name are available. Resolves to how many requests it took.
   * @param {string} base
   */
  async load(base) {
    this.bytes.fill(0);
    this.sectionCounts = this.layout.sections.map((s) => counts(s.end - s.start));
    this.counts = counts(this.layout.size);
    let requests = 0;
    for (const state of ['locked', 'booked']) {
      /** @type {string | null} */
      let after = null;
      do {
        const cursor = after ? `&after=${encodeURIComponent(after)}` : '';
        /** @type {SeatPage} */
        const page = await getJson(`${base}/seats?state=${state}&limit=${PAGE}${cursor}`);
        requests++;
        for (const seat of page.seats) {
          const index = this.layout.indexOf(seat.id);
          if (index >= 0) this.set(index, seat.state);
        }
        after = page.next;
      } while (after);
    }
    return requests;
  }
}

/**
 * Counts of `total` seats, all available.
 * @param {number} total
 * @returns {Summary}
 */
function counts(total) {
  return { total, available: total, locked: 0, booked: 0 };
}
