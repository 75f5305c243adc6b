// @ts-check
// The service's HTTP API as the page uses it: JSON in, JSON out, refusals as errors that carry the
// problem's `code` and its `detail` sentence.

/**
 * A request the service refused: `message` is its `detail` sentence, `code` its problem code,
 * `problem` the whole problem (a hold's refusal names each refused seat in `seats`).
 */
export class RefusedError extends Error {
  /**
   * @param {string} message
   * @param {string | undefined} code
   * @param {Record<string, unknown>} [problem]
   */
  constructor(message, code, problem = {}) {
    super(message);
    this.name = 'RefusedError';
    this.code = code;
    this.problem = problem;
  }
}

/** @typedef {() => Record<string, string> | Promise<Record<string, string>>} Credentials */

/** @type {Credentials} headers that say who the page acts for */
let credentials = () => ({});

/**
 * Sets the headers every request of {@link send} carries from now on: a guest session's
 * `Authorization`, e.g. `useCredentials(async () => ({ Authorization: `Bearer ${token}` }))`.
 * @param {Credentials} headers
 */
export function useCredentials(headers) {
  credentials = headers;
}

/**
 * Sends a request with an optional JSON body; resolves to the answer's JSON, or rejects with a
 * {@link RefusedError} carrying the server's `detail`.
 * @template T
 * @param {'POST' | 'DELETE' | 'GET'} method
 * @param {string} url
 * @param {object} [body]
 * @param {Record<string, string>} [headers]
 * @returns {Promise<T>}
 */
export async function send(method, url, body, headers = {}) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(await credentials()),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
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
      /** @type {Record<string, unknown>} */ (json),
    );
  }
  return /** @type {T} */ (data);
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
export function post(url, body) {
  return send('POST', url, body);
}
