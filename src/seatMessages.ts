import type { SeatReply, SeatRequestEvent } from '../machines/seatTypes';
import type { SeatRecord } from './store/SeatStore';

/** `12:00:31Z`: the clock time a person needs to judge a deadline. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + 'Z';
}

const VERB = {
  LOCK: 'lock',
  CONFIRM: 'confirm',
  RELEASE: 'release',
  HOLD: 'hold',
  EXTEND: 'extend',
} as const;

/** The machine's refusal, or `undefined` when no transition handled the request at all. */
type Refusal = Extract<SeatReply, { type: 'seat.refused' }> | undefined;

/**
 * The sentence for a refused request: names the seat and says what to do. It only words the
 * machine's refusal: the code, whose lock or booking is in the way (`holder`) and the deadline
 * concerned (`until`) all come from the reply; it decides and re-checks nothing.
 *
 * @example
 * ```ts
 * refusalDetail({ type: 'seat.refused', code: 'SEAT_BOOKED', holder: 'you' }, seat, release);
 * // 'Seat A1 is booked by you; a confirmed booking cannot be released.'
 * ```
 */
export function refusalDetail(refusal: Refusal, seat: SeatRecord, event: SeatRequestEvent): string {
  const { id } = seat;
  const verb = VERB[event.type];
  const yours = refusal?.holder === 'you';
  switch (refusal?.code) {
    case 'SEAT_IN_HOLD':
      return `Seat ${id} is part of one of your holds; ${verb} the hold (or give the seat back from it) instead of the seat alone.`;
    case 'SEAT_LOCKED':
      if (yours)
        return `You hold seat ${id} already, outside this hold; release it first to add it.`;
      return `Seat ${id} is locked by another user until ${clockTime(refusal.until ?? 0)}; try another seat.`;
    case 'SEAT_BOOKED':
      if (!yours) return `Seat ${id} is already booked by another user; try another seat.`;
      return event.type === 'RELEASE'
        ? `Seat ${id} is booked by you; a confirmed booking cannot be released.`
        : `Seat ${id} is already booked by you; there is nothing more to do.`;
    case 'NOT_LOCKED':
      return `Seat ${id} is not locked; lock it before you ${verb} it.`;
    case 'LOCK_NOT_HELD':
      if (yours)
        return `The lockId you sent is not the current lock on seat ${id}; use the lockId from your lock response.`;
      return `Seat ${id} is locked by another user; only the lock's holder can ${verb} it. Try another seat.`;
    case 'LOCK_EXPIRED':
      return `Your lock on seat ${id} expired at ${clockTime(refusal.until ?? 0)}; lock it again to book it.`;
    default:
      return `Seat ${id} cannot ${verb} in its current state (${seat.state}).`;
  }
}
