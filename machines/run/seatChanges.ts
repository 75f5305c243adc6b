import type { SeatContext, SeatLock, SeatStateValue } from '../seatTypes';
import type { SeatTransition, SeatTransitionReason } from '../../src/store/SeatStore';

/** A transition as a store derives it from one machine step, before it adds the seat id and time. */
export type SeatChange = Pick<SeatTransition, 'from' | 'to' | 'reason' | 'userId'>;

/**
 * The transitions one machine step made, with why and whose lock: what every store publishes, so
 * metrics and the per-user lock cap hear the same facts whichever store runs the seats.
 *
 * A step from `locked` to `locked` with another lock (a fresh LOCK taking over a due lock before
 * anything expired it) is two transitions: the old holder's lock expired, the new holder's began.
 * A step that left the seat as it was is none.
 *
 * @example
 * ```ts
 * seatChanges('available', null, 'locked', next.context);
 * // [{ from: 'available', to: 'locked', reason: 'lock', userId: 'alice' }]
 * ```
 */
export function seatChanges(
  from: SeatStateValue,
  lockBefore: SeatLock | null,
  to: SeatStateValue,
  context: SeatContext,
): SeatChange[] {
  const lock = context.lock;
  if (from === to) {
    if (to !== 'locked' || lockBefore?.lockId === lock?.lockId) return [];
    return [
      { from: 'locked', to: 'available', reason: 'expiry', userId: lockBefore?.userId },
      { from: 'available', to: 'locked', reason: 'lock', userId: lock?.userId },
    ];
  }
  const ended = to === 'locked' ? null : lockBefore;
  return [{ from, to, reason: reasonFor(to, ended, context), userId: (lock ?? ended)?.userId }];
}

/** Why a seat moved to `to`; `ended` is the lock it had before, if that lock is now over. */
function reasonFor(
  to: SeatStateValue,
  ended: SeatLock | null,
  context: SeatContext,
): SeatTransitionReason {
  if (to === 'locked') return 'lock';
  if (to === 'booked') return 'confirm';
  return ended !== null && context.expired?.lockId === ended.lockId ? 'expiry' : 'release';
}
