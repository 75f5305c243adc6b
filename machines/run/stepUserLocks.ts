import type { UserLocksEvent, UserLocksReply } from '../userLocksMachine';
import { userLocksMachine } from '../userLocksMachine';
import type { SeatMoveReason } from '../seatTypes';
import { lockCapRunner, type LockCapRunner, type LockCapSnapshot } from './lockCapRunner';

const userLocks = lockCapRunner(userLocksMachine);

export type UserLocksSnapshot = LockCapSnapshot;

/**
 * Sends `event` to a user's lock-cap machine held as a snapshot (a pure step, no actor): returns the next snapshot and the reply it emitted (`undefined` for the facts
 * `LOCK_TAKEN`/`LOCK_ENDED`). Every quota host runs the machine through this.
 *
 * @example
 * ```ts
 * const [next, reply] = stepUserLocks(userLocksStart(3), { type: 'REQUEST_LOCK', seatId: 'A1' });
 * reply; // { type: 'user.accepted' }
 * ```
 */
export function stepUserLocks(
  snapshot: UserLocksSnapshot,
  event: UserLocksEvent,
): [UserLocksSnapshot, UserLocksReply | undefined] {
  return userLocks.step(snapshot, event);
}

/**
 * What a seat's move means to its lock holder's machine: a lock taken (`locked`), or ended
 * (`confirmed`, `released`, `expired`: every other move a seat makes starts from a lock).
 *
 * @example
 * ```ts
 * userLocksFact('A1', 'expired'); // { type: 'LOCK_ENDED', seatId: 'A1' }
 * ```
 */
export function userLocksFact(seatId: string, reason: SeatMoveReason): UserLocksEvent {
  return reason === 'locked' ? { type: 'LOCK_TAKEN', seatId } : { type: 'LOCK_ENDED', seatId };
}

/**
 * A user's machine before it has heard of any lock: `max` locks allowed, none held.
 *
 * @example
 * ```ts
 * userLocksStart(10).context; // { max: 10, held: [] }
 * ```
 */
export function userLocksStart(max: number): UserLocksSnapshot {
  return userLocks.start(max);
}

/**
 * Asks a user's machine (or, with `caps`, another lock-cap machine such as the client address's)
 * for several locks at once: each seat is requested as if the ones before it had been taken (a
 * pure run on a copy; `snapshot` is not changed). Returns the first refusal, or `undefined` when
 * the machine agrees to them all.
 *
 * @example
 * ```ts
 * requestLocks(userLocksStart(2), ['A1', 'A2', 'A3']); // { type: 'user.refused', code: 'TOO_MANY_LOCKS', held: 2, max: 2 }
 * ```
 */
export function requestLocks(
  snapshot: UserLocksSnapshot,
  seatIds: readonly string[],
  caps: LockCapRunner = userLocks,
): Extract<UserLocksReply, { type: 'user.refused' }> | undefined {
  let current = snapshot;
  for (let i = 0; i < seatIds.length; i++) {
    const seatId = seatIds[i];
    const [, reply] = caps.step(current, { type: 'REQUEST_LOCK', seatId });
    if (reply?.type !== 'user.accepted') {
      return reply ?? { type: 'user.refused', code: 'TOO_MANY_LOCKS', held: 0, max: 0 };
    }
    // The next seat is asked as if this one were taken; after the last, nobody asks again (a
    // single lock is then one step of the machine, not two).
    if (i < seatIds.length - 1) [current] = caps.step(current, { type: 'LOCK_TAKEN', seatId });
  }
  return undefined;
}
