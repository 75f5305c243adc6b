/** A lock on a seat: who holds it, its id, and the instant (ms since epoch) it stops counting. */
export interface SeatLock {
  userId: string;
  lockId: string;
  until: number;
  /**
   * The hold this lock belongs to, when it was taken by a multi-seat hold (then `lockId` is the
   * hold's id and `until` the hold's deadline): only the hold may confirm, release or extend it.
   */
  holdId?: string;
}

/** A confirmed booking: who booked, with which lock, and when. */
export interface SeatBooking {
  userId: string;
  lockId: string;
  at: number;
}

export interface SeatContext {
  /** How long a lock lives, fixed when the seat is created. */
  ttlMs: number;
  /** The current lock, while `locked`. */
  lock: SeatLock | null;
  /** The booking, once `booked`. */
  booking: SeatBooking | null;
  /** The last lock that ran out unconfirmed, so its holder hears `LOCK_EXPIRED`. */
  expired: SeatLock | null;
}

export interface SeatInput {
  ttlMs: number;
}

/**
 * What a host can tell a seat. Every event carries `now`, the host's clock in ms since epoch: the
 * machine never reads a clock itself.
 */
export type SeatEvent =
  | { type: 'LOCK'; userId: string; lockId: string; now: number }
  | { type: 'CONFIRM'; userId: string; lockId?: string; holdId?: string; now: number }
  | { type: 'RELEASE'; userId: string; lockId?: string; holdId?: string; now: number }
  /** A multi-seat hold takes the seat, with the hold's own deadline (sent by the hold's host). */
  | { type: 'HOLD'; userId: string; holdId: string; until: number; now: number }
  /** The hold's deadline moved (an extension): its seats' locks move with it. */
  | { type: 'EXTEND'; userId: string; holdId: string; until: number; now: number }
  | { type: 'EXPIRE'; now: number };

/** The events a user's request becomes (EXPIRE is the host's own). */
export type SeatRequestEvent = Extract<SeatEvent, { userId: string }>;

export type SeatRefusalCode =
  | 'SEAT_LOCKED'
  | 'SEAT_BOOKED'
  | 'NOT_LOCKED'
  | 'LOCK_NOT_HELD'
  | 'LOCK_EXPIRED'
  /** A single-seat request by the holder of a seat that belongs to one of their multi-seat holds. */
  | 'SEAT_IN_HOLD';

/** Whose the seat's lock or booking is, from the requester's point of view. */
export type SeatParty = 'you' | 'another user';

/**
 * The machine's answer to a request event, emitted while it handles that event. A refusal says
 * everything a message about it needs, as the machine decided it: `holder` whose lock or booking
 * stands in the way (for `SEAT_BOOKED` and `LOCK_NOT_HELD`), `until` the deadline it is about (the
 * standing lock's for `SEAT_LOCKED`, the lapsed lock's for `LOCK_EXPIRED`).
 */
export type SeatReply =
  | { type: 'seat.accepted' }
  | { type: 'seat.refused'; code: SeatRefusalCode; holder?: SeatParty; until?: number };

/** Why a seat moved: the action that moved it, as the machine decided it. */
export type SeatMoveReason = 'locked' | 'confirmed' | 'released' | 'expired';

/**
 * Emitted by every action that moves a seat from one state to another, with why and whose lock
 * it was: what stores publish, so nobody has to work it out again from the snapshots.
 */
export interface SeatMoved {
  type: 'seat.moved';
  from: SeatStateValue;
  to: SeatStateValue;
  reason: SeatMoveReason;
  /** The user whose lock was taken, confirmed, released or expired. */
  userId: string;
}

/** Everything the seat machine emits: its replies to requests, and its moves. */
export type SeatEmitted = SeatReply | SeatMoved;

export type SeatStateValue = 'available' | 'locked' | 'booked';
