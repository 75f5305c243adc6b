// @ts-check
// The venue's counts: read from `GET /seats/summary`, moved at once by each event, and read again
// shortly after so that an event counted twice around a reload never leaves them wrong.
import { getJson } from './api.js';

/** @typedef {import('./types.js').Summary} Summary */
/** @typedef {import('./types.js').Transition} Transition */

/** At most this often the counts are read again after events. */
const REFETCH_MS = 500;
const KEYS = /** @type {const} */ (['total', 'available', 'locked', 'booked']);

export class SummaryView {
  /** @param {ParentNode} root where the `[data-count]` elements are */
  constructor(root) {
    this.root = root;
    /** @type {Summary | null} the last counts, null before the first read */
    this.counts = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /** Seats in the venue (0 before the first read). */
  get total() {
    return this.counts?.total ?? 0;
  }

  /** Reads the counts and shows them. */
  async load() {
    /** @type {Summary} */
    const counts = await getJson('/seats/summary');
    this.counts = counts;
    this.show(counts);
  }

  /**
   * Moves the counts by one transition, and reads them again soon.
   * @param {Transition} transition
   */
  apply(transition) {
    if (this.counts) {
      this.counts[transition.from] -= 1;
      this.counts[transition.to] += 1;
      this.show(this.counts);
    }
    this.scheduleLoad();
  }

  /** @private */
  scheduleLoad() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failed read leaves the counts the events moved; the next event tries again.
      this.load().catch(() => undefined);
    }, REFETCH_MS);
  }

  /**
   * @private
   * @param {Summary} counts
   */
  show(counts) {
    for (const key of KEYS) {
      const element = this.root.querySelector(`[data-count="${key}"]`);
      if (element) element.textContent = counts[key].toLocaleString('en');
    }
  }
}
