// @ts-check
// Who this browser is: a guest session the service starts on the first visit (`POST /sessions`),
// its token kept in localStorage and sent with every write. The server never says who holds a
// seat, except to its holder: "Your seats" come back from `GET /me/seats` after a reload.
import { post, RefusedError, useCredentials } from './api.js';
import { readJson, writeJson } from './storage.js';

/** @typedef {import('./types.js').MySeat} MySeat */
/** @typedef {{ token: string, userId: string, expiresAt: string }} GuestSession */
/**
 * @typedef {{ eventId: string, id: string, state: 'locked' | 'booked', lockId?: string, expiresAt?: string }} MySeatAnswer
 */

const SESSION_KEY = 'seatmap.session';
/** A session this close to its end is replaced before use (ms). */
const MARGIN_MS = 60_000;

/** @type {GuestSession | null} */
let current = readJson(SESSION_KEY, /** @type {GuestSession | null} */ (null));

/** The guest's user id ('' until the session has started). */
export function sessionUser() {
  return current?.userId ?? '';
}

/**
 * The guest session: kept from an earlier visit, or started now when there is none, it (nearly)
 * ran out, or `renew` (the service no longer accepts it: restarted with a new key).
 * @param {boolean} [renew]
 * @returns {Promise<GuestSession>}
 */
export function ensureSession(renew = false) {
  if (!renew && current && Date.parse(current.expiresAt) - MARGIN_MS > Date.now()) {
    return Promise.resolve(current);
  }
  // One start at a time: requests that find no session at once all wait for the same one.
  starting ??= startSession().finally(() => (starting = null));
  return starting;
}

/** @type {Promise<GuestSession> | null} the `POST /sessions` under way */
let starting = null;

/** @returns {Promise<GuestSession>} */
async function startSession() {
  // Plain fetch, not api.js: its requests carry this session's token, asked from here.
  const response = await fetch('/sessions', {
    method: 'POST',
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(
      `Could not start a guest session (HTTP ${response.status}); reload to try again.`,
    );
  }
  /** @type {unknown} the service's JSON, trusted to be the documented shape */
  const json = await response.json();
  const started = /** @type {GuestSession} */ (json);
  current = started;
  writeJson(SESSION_KEY, started);
  return started;
}

/**
 * Starts (or picks up) the guest session, and makes every request of `api.js` carry its token.
 * @returns {Promise<GuestSession>}
 */
export async function startGuestSession() {
  const session = await ensureSession();
  useCredentials(async () => ({ Authorization: `Bearer ${(await ensureSession()).token}` }));
  return session;
}

/**
 * POSTs a write as the guest; a refused credential (expired, or from before a restart) starts a
 * new session and tries once more.
 * @template T
 * @param {string} url
 * @param {object} body
 * @returns {Promise<T>}
 */
export async function postAsGuest(url, body) {
  try {
    return await post(url, body);
  } catch (err) {
    const code = err instanceof RefusedError ? err.code : undefined;
    if (code !== 'TOKEN_EXPIRED' && code !== 'UNAUTHENTICATED') throw err;
    await ensureSession(true);
    return post(url, body);
  }
}

/**
 * The guest's seats in event `eventId`, as the server knows them (`GET /me/seats`).
 * @param {string} eventId
 * @returns {Promise<Array<[string, MySeat]>>}
 */
export async function fetchMySeats(eventId) {
  const { token, userId } = await ensureSession();
  const response = await fetch('/me/seats', {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  if (!response.ok) return [];
  /** @type {unknown} the service's JSON, trusted to be the documented shape */
  const json = await response.json();
  const answer = /** @type {{ held: MySeatAnswer[], booked: MySeatAnswer[] }} */ (json);
  return [...answer.held, ...answer.booked]
    .filter((seat) => seat.eventId === eventId)
    .map((seat) => [
      seat.id,
      {
        userId,
        state: seat.state,
        lockId: seat.lockId ?? '',
        expiresAt: seat.expiresAt ? Date.parse(seat.expiresAt) : 0,
      },
    ]);
}
