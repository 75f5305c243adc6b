// @ts-check
// The user's hold on this event: the seats they clicked (or best available chose), held as one
// unit with one deadline; extended, booked or released as one. The server decides every rule (all
// or nothing, the size cap, the extension cap); this keeps the hold it answered with, and its id
// in localStorage so a reload finds it again.
import { RefusedError, send } from './api.js';
import { readJson, writeJson } from './storage.js';

/** @typedef {import('./types.js').Hold} Hold */
/** @typedef {import('./types.js').Booking} Booking */
/** @typedef {import('./types.js').RefusedSeat} RefusedSeat */

/** Codes meaning the hold is no longer there to act on: forget it. */
const ENDED = new Set(['HOLD_EXPIRED', 'HOLD_NOT_FOUND', 'HOLD_CONFIRMED', 'HOLD_RELEASED']);

/** A fresh `Idempotency-Key`: a retry of the same click replays the first answer. */
const idempotencyKey = () => ({ 'Idempotency-Key': crypto.randomUUID() });

export class Holds {
  /**
   * @param {string} base the event's routes (`/events/:eventId`)
   * @param {string} eventId
   * @param {() => string} who the user the page names, for a service that trusts a named user
   * (`AUTH=off`): `userId` in a POST's body, `?userId=` otherwise; none when it sends a credential
   */
  constructor(base, eventId, who) {
    this.base = base;
    this.who = who;
    this.key = `seatmap.hold.${eventId}`;
    /** @type {Hold | null} the open hold, as the server last answered */
    this.hold = null;
  }

  /** Whether seat `id` is in the open hold. */
  /** @param {string} id */
  has(id) {
    return !!this.hold?.seats.some((seat) => seat.id === id);
  }

  /** The open hold's seat ids. */
  seatIds() {
    return this.hold ? this.hold.seats.map((seat) => seat.id) : [];
  }

  /**
   * Reads the hold again (the one on screen, or the one a previous visit left open); forgets it
   * when it is over or not ours.
   */
  async restore() {
    /** @type {string | null} */
    const id = this.hold?.id ?? readJson(this.key, null);
    if (!id) return;
    try {
      /** @type {{ hold: Hold }} */
      const { hold } = await send('GET', this.named(this.url(id)));
      this.keep(hold.state === 'open' ? hold : null);
    } catch {
      this.keep(null);
    }
  }

  /**
   * Adds seat `id` to the open hold, or starts a hold with it.
   * @param {string} id
   */
  async add(id) {
    if (this.hold) {
      return this.act(() => send('POST', `${this.url()}/seats`, this.body({ seats: [id] })));
    }
    const body = this.body({ seats: [id] });
    return this.act(() => send('POST', `${this.base}/holds`, body, idempotencyKey()));
  }

  /**
   * Gives seat `id` back; the hold stays open with the others (or ends with its last seat).
   * @param {string} id
   */
  async remove(id) {
    const url = `${this.url()}/seats/${encodeURIComponent(id)}`;
    return this.act(() => send('DELETE', this.named(url)));
  }

  /**
   * Best available: `count` adjacent seats, in `section` when given, as a new hold.
   * @param {number} count
   * @param {string} [section]
   */
  async best(count, section) {
    const body = this.body(section ? { count, section } : { count });
    return this.act(() => send('POST', `${this.base}/holds`, body, idempotencyKey()));
  }

  /** A new deadline, one lock TTL from now (while extensions are left). */
  async extend() {
    return this.act(() => send('POST', `${this.url()}/extend`, this.body({})));
  }

  /**
   * Books every seat of the hold in one step; resolves to the booking.
   * @returns {Promise<Booking>}
   */
  async confirm() {
    try {
      /** @type {{ booking: Booking }} */
      const { booking } = await send(
        'POST',
        `${this.url()}/confirm`,
        this.body({}),
        idempotencyKey(),
      );
      this.keep(null);
      return booking;
    } catch (err) {
      this.forgetIfEnded(err);
      throw err;
    }
  }

  /** Releases every seat of the hold. */
  async release() {
    try {
      await send('DELETE', this.named(this.url()));
    } catch (err) {
      this.forgetIfEnded(err);
      throw err;
    }
    this.keep(null);
  }

  /** The hold ended on the server (it expired, or another window ended it): forget it. */
  forget() {
    this.keep(null);
  }

  /**
   * Runs a request answered with `{hold}` and keeps that hold (none once it is no longer open).
   * @private
   * @param {() => Promise<unknown>} request
   * @returns {Promise<Hold | null>}
   */
  async act(request) {
    try {
      const { hold } = /** @type {{ hold: Hold }} */ (await request());
      this.keep(hold.state === 'open' && hold.seats.length > 0 ? hold : null);
      return this.hold;
    } catch (err) {
      this.forgetIfEnded(err);
      throw err;
    }
  }

  /**
   * @private
   * @param {unknown} err
   */
  forgetIfEnded(err) {
    if (err instanceof RefusedError && err.code !== undefined && ENDED.has(err.code)) {
      this.keep(null);
    }
  }

  /**
   * @private
   * @param {Hold | null} hold
   */
  keep(hold) {
    this.hold = hold;
    writeJson(this.key, hold ? hold.id : null);
  }

  /**
   * `body` with the user the page names, when it names one.
   * @private
   * @template {object} T
   * @param {T} body
   */
  body(body) {
    const userId = this.who();
    return userId ? { ...body, userId } : body;
  }

  /**
   * `url` with `?userId=` for the user the page names, when it names one.
   * @private
   * @param {string} url
   */
  named(url) {
    const userId = this.who();
    return userId ? `${url}?userId=${encodeURIComponent(userId)}` : url;
  }

  /**
   * @private
   * @param {string} [id]
   */
  url(id = this.hold?.id ?? '') {
    return `${this.base}/holds/${encodeURIComponent(id)}`;
  }
}

/**
 * The refused seats a hold's 409 names (`SEATS_UNAVAILABLE`), as a sentence's end: "A3 (SEAT_LOCKED)".
 * @param {unknown} err
 * @returns {RefusedSeat[]}
 */
export function refusedSeats(err) {
  const seats = err instanceof RefusedError ? err.problem.seats : undefined;
  return Array.isArray(seats) ? /** @type {RefusedSeat[]} */ (seats) : [];
}
