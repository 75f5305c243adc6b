/** The limits a hold is made with, fixed for its whole life. */
export interface HoldLimits {
  /** How long the hold lasts from when it is made or extended (the event's lock TTL). */
  ttlMs: number;
  /** How many times it may be extended (`HOLD_MAX_EXTENSIONS`, default 2). */
  maxExtensions: number;
  /** How long after it was made it may last at most, extensions included (`HOLD_MAX_MS`). */
  maxMs: number;
  /** Most seats in one hold (`MAX_SEATS_PER_HOLD`, default 10). */
  maxSeats: number;
}

/** A confirmed hold's booking: retries of the confirm are answered with the same one. */
export interface HoldBooking {
  id: string;
  at: number;
}

export interface HoldContext extends HoldLimits {
  id: string;
  /** The user the hold belongs to; every request names its user and only the owner's go ahead. */
  ownerId: string;
  /** The seat ids held, in the order they were added. */
  seats: string[];
  /** When the hold was made (ms since epoch, the host's clock as told by the CREATE event). */
  createdAt: number;
  /** When the hold stops counting unless it is extended. */
  until: number;
  extensionsUsed: number;
  booking: HoldBooking | null;
}

export interface HoldInput extends HoldLimits {
  id: string;
}

/**
 * What a host can tell a hold. Every event carries `now`, the host's clock in ms since epoch: the
 * machine never reads a clock itself. A request event names the user it comes from.
 */
export type HoldEvent =
  | { type: 'CREATE'; userId: string; seats: string[]; now: number }
  | { type: 'ADD_SEATS'; userId: string; seats: string[]; now: number }
  | { type: 'REMOVE_SEAT'; userId: string; seatId: string; now: number }
  | { type: 'EXTEND'; userId: string; now: number }
  | { type: 'CONFIRM'; userId: string; bookingId: string; now: number }
  | { type: 'RELEASE'; userId: string; now: number }
  | { type: 'EXPIRE'; now: number };

/** The events a user's request becomes (EXPIRE is the host's own). */
export type HoldRequestEvent = Extract<HoldEvent, { userId: string }>;

export type HoldRefusalCode =
  /** Another user's hold: a host answers 404, as if it did not exist. */
  | 'NOT_HOLD_OWNER'
  /** Asked for no seats, or for the same seat twice. */
  | 'NO_SEATS'
  /** More than `maxSeats` seats. */
  | 'TOO_MANY_SEATS'
  /** The hold ran out (it expired now, or earlier). */
  | 'HOLD_EXPIRED'
  /** No extension left, or the hold already reaches `maxMs` after it was made. */
  | 'EXTENSION_LIMIT'
  /** The hold was booked: it can no longer change. */
  | 'HOLD_CONFIRMED'
  /** The hold was given back: it can no longer change. */
  | 'HOLD_RELEASED'
  /** Giving back a seat the hold does not have. */
  | 'SEAT_NOT_IN_HOLD';

/** The machine's answer to a request event, emitted while it handles that event. */
export type HoldReply = { type: 'hold.accepted' } | { type: 'hold.refused'; code: HoldRefusalCode };

export type HoldStateValue = 'new' | 'open' | 'confirmed' | 'released' | 'expired';
