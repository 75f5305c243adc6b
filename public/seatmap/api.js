// @ts-check
// The service's HTTP API as the page uses it: JSON in, JSON out, refusals as errors that carry the
// problem's `code` and its `detail` sentence.

/** @typedef {import('./types.js').Seat} Seat */
/** @typedef {import('./types.js').SeatPage} SeatPage */

/** Seats per request to `GET /seats` (the server's own maximum page may be smaller). */
const FETCH_LIMIT = 1000;

/** A request the service refused: `message` is its `detail` sentence, `code` its problem code. */
export class RefusedError extends Error {
  /**
   * @param {string} message
   * @param {string | undefined} code
   */
  constructor(message, code) {
    super(message);
    this.name = 'RefusedError';
    this.code = code;
  }
}

/**
 * GETs `url` as JSON; rejects when the answer is not 2xx.
 * @template T
 * @param {string} url
 * @returns {Promise<T>}
 */
export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  /** @type {unknown} the service's JSON, trusted to be the documented shape */
  const data = await response.json();
  return /** @type {T} */ (data);
}

/**
 * POSTs a seat request; resolves to the body, or rejects with a {@link RefusedError} carrying the
 * server's `detail`.
 * @template T
 * @param {string} url
 * @param {object} body
 * @returns {Promise<T>}
 */
export async function post(url, body) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error('The service cannot be reached; check your connection and try again.');
  }
  /** @type {unknown} */
  const json = await response.json().catch(() => ({}));
  const data = /** @type {{ detail?: string, code?: string }} */ (json);
  if (!response.ok) {
    throw new RefusedError(
      data.detail || `The service refused (HTTP ${response.status}).`,
      data.code,
    );
  }
  return /** @type {T} */ (data);
}

/**
 * GETs `count` seats after seat `after` (or from the first), following `next` page by page.
 * @param {string | null} after
 * @param {number} count
 * @returns {Promise<Seat[]>}
 */
export async function fetchSeats(after, count) {
  /** @type {Seat[]} */
  const seats = [];
  let cursor = after;
  while (seats.length < count) {
    const limit = Math.min(FETCH_LIMIT, count - seats.length);
    let url = `/seats?limit=${limit}`;
    if (cursor) url += `&after=${encodeURIComponent(cursor)}`;
    /** @type {SeatPage} */
    const page = await getJson(url);
    // A server without paging answers every seat from the first: skip to the cursor, keep what
    // was asked for. (A paging server's answer starts after the cursor, so it is not in it.)
    const skip = cursor ? page.seats.findIndex((s) => s.id === cursor) + 1 : 0;
    seats.push(...page.seats.slice(skip, skip + count - seats.length));
    if (!page.next) break;
    cursor = page.next;
  }
  return seats;
}
