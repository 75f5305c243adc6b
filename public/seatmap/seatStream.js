// @ts-check
// The live seat events of one event (`GET /events/:eventId/seats/events`): every transition of
// every seat, resumed by the browser's EventSource after a drop, and a `resync` when the server
// cannot replay what was missed.

/** @typedef {import('./types.js').Transition} Transition */

/**
 * @typedef {object} StreamHandlers
 * @property {(transition: Transition) => void} onTransition a seat changed
 * @property {() => void} onResync the stream could not replay what this page missed: read again
 * @property {(live: boolean) => void} onStatus connected, or trying to reconnect
 */

/**
 * Opens the stream; resolves once it is open or has failed for the first time, so that the page
 * loads its seats only after it is listening (a change made while loading is queued, not lost).
 * @param {string} url the stream's address
 * @param {StreamHandlers} handlers
 * @returns {Promise<void>}
 */
export function openSeatStream(url, { onTransition, onResync, onStatus }) {
  return new Promise((resolve) => {
    const source = new EventSource(url);
    source.onopen = () => {
      onStatus(true);
      resolve();
    };
    source.onerror = () => {
      onStatus(false);
      resolve();
    };
    source.onmessage = (message) => {
      /** @type {unknown} the server's JSON, the documented shape */
      const data = JSON.parse(String(message.data));
      onTransition(/** @type {Transition} */ (data));
    };
    source.addEventListener('resync', onResync);
  });
}
