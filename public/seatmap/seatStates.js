// @ts-check
// Every seat's state, one byte per seat in layout order, with counts per section kept as seats
// change. Loaded in one request, `GET …/seats/states`: the runs of locked and of booked seats by
// index, so a fresh 100,000-seat event is a few bytes and a sold-out one a few runs.
import { getJson } from './api.js';

/** @typedef {import('./types.js').SeatState} SeatState */
/** @typedef {import('./types.js').SeatStateRuns} SeatStateRuns */
/** @typedef {import('./types.js').Summary} Summary */
/** @typedef {import('./eventLayout.js').EventLayout} EventLayout */

/** The states in byte order: a seat's byte is its state's index here. */
export const STATES = /** @type {const} */ (['available', 'locked', 'booked']);

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
   * Reads every seat's state from `base` (`/events/:eventId`) in one request,
   * `GET …/seats/states`: the runs of locked and of booked seats, by index; the others are
   * available.
   * @param {string} base
   */
  async load(base) {
    /** @type {SeatStateRuns} */
    const runs = await getJson(`${base}/seats/states`);
    this.bytes.fill(0);
    this.sectionCounts = this.layout.sections.map((s) => counts(s.end - s.start));
    this.counts = counts(this.layout.size);
    for (const state of /** @type {const} */ (['locked', 'booked'])) {
      const pairs = runs[state];
      for (let p = 0; p + 1 < pairs.length; p += 2) {
        const end = Math.min(pairs[p] + pairs[p + 1], this.layout.size);
        for (let index = pairs[p]; index < end; index++) this.set(index, state);
      }
    }
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
