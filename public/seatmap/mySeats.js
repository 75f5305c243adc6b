// @ts-check
// The user's seats, kept across reloads. The server never says who holds a seat, so only this page
// knows which are yours; it remembers the lock answers it was given.
import { readJson, writeJson } from './storage.js';

/** @typedef {import('./types.js').MySeat} MySeat */
/** @typedef {import('./types.js').SeatState} SeatState */

/** Where the default event's seats were kept before there were events: kept, so none is lost. */
const DEFAULT_KEY = 'seatmap.mine';

export class MySeats {
  /** @param {string} eventId each event's seats are kept apart (two events both have an A1) */
  constructor(eventId) {
    this.key = eventId === 'default' ? DEFAULT_KEY : `${DEFAULT_KEY}.${eventId}`;
    /** @type {Map<string, MySeat>} seat id → what this page knows of the user's seat */
    this.seats = new Map(readJson(this.key, /** @type {Array<[string, MySeat]>} */ ([])));
  }

  /**
   * The seat's entry when it belongs to `userId` (two people may share a browser).
   * @param {string} id
   * @param {string} userId
   */
  of(id, userId) {
    const entry = this.seats.get(id);
    return entry && entry.userId === userId ? entry : undefined;
  }

  /**
   * The seat's entry whoever it belongs to.
   * @param {string} id
   */
  get(id) {
    return this.seats.get(id);
  }

  /**
   * The user's seats in seat order (A2 before A10).
   * @param {string} userId
   * @returns {Array<[string, MySeat]>}
   */
  listFor(userId) {
    const entries = [...this.seats].filter(([, entry]) => entry.userId === userId);
    return entries.sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /**
   * @param {string} id
   * @param {MySeat} entry
   */
  set(id, entry) {
    this.seats.set(id, entry);
    this.save();
  }

  /** @param {string} id */
  delete(id) {
    this.seats.delete(id);
    this.save();
  }

  /**
   * Forgets the seats that the server no longer shows as the user's (a lock that ran out while the
   * page was closed, or a service restart), judged from the seats just loaded: the server decides
   * whether a lock still holds, the page never compares its deadline with its own clock.
   * @param {(id: string) => SeatState | undefined} stateOf the state on screen, if the seat is
   */
  prune(stateOf) {
    for (const [id, entry] of this.seats) {
      const state = stateOf(id);
      if (state !== undefined && state !== entry.state) this.seats.delete(id);
    }
    this.save();
  }

  /** @private */
  save() {
    writeJson(this.key, [...this.seats]);
  }
}
