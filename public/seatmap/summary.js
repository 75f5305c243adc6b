// @ts-check
// The event's counts by state, shown as they are kept by the seat states (so they move with every
// event the stream brings, and a reload or resync counts again from the seats themselves).

/** @typedef {import('./types.js').Summary} Summary */

const KEYS = /** @type {const} */ (['total', 'available', 'locked', 'booked']);

/**
 * Writes `counts` into the `[data-count]` elements under `root`.
 * @param {ParentNode} root
 * @param {Summary} counts
 */
export function showCounts(root, counts) {
  for (const key of KEYS) {
    const element = root.querySelector(`[data-count="${key}"]`);
    if (element) element.textContent = counts[key].toLocaleString('en');
  }
}
