import { initialTransition, type SnapshotFrom } from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatRequestEvent } from '../../machines/seatTypes';
import { applySeatEvent } from '../../machines/run/stepSeat';
import type { Operation, Outcome } from './Operation';

/** A seat as the sequential specification sees it: the machine's own snapshot. */
export type SpecSnapshot = SnapshotFrom<typeof seatMachine>;

/** What the specification says an operation does at instant `now`. */
export interface SpecStep {
  next: SpecSnapshot;
  /** The response the machine implies: status, code, and the seat facts a 200 carries. */
  expected: Outcome;
}

/**
 * A seat as the machine starts it.
 *
 * @example
 * ```ts
 * initialSeat(50).value; // 'available'
 * ```
 */
export function initialSeat(ttlMs: number): SpecSnapshot {
  return initialTransition(seatMachine, { ttlMs })[0];
}

/**
 * The sequential specification of one seat, taken from the seat machine itself (never a second copy
 * of its rules): requests are applied with a pure step of the machine (`applySeatEvent`), and the machine's emitted
 * reply says whether the service must answer 200 or 409 and with which code. `op` is applied as
 * if the server had stamped its event with `now`; a lock with no answer can be given the `lockId`
 * the server may have drawn for it (later answers can reveal it).
 *
 * @example
 * ```ts
 * let seat = initialSeat(50);
 * const step = specStep(seat, lockOp, 1_000); // lockOp: a recorded lock operation
 * step.expected; // { status: 200, state: 'locked', lockId: '…', expiresAt: 1_050 }
 * ```
 */
export function specStep(
  seat: SpecSnapshot,
  op: Operation,
  now: number,
  lockId?: string,
): SpecStep {
  if (op.kind === 'get') return { next: seat, expected: readOf(seat) };
  const event = toEvent(op, now, lockId);
  const [next, reply] = applySeatEvent(seat, event);
  if (reply?.type !== 'seat.accepted') {
    // No handler at all is a refusal too; the service answers it 409 TRANSITION_REFUSED.
    return { next, expected: { status: 409, code: reply?.code ?? 'TRANSITION_REFUSED' } };
  }
  const expected: Outcome = { status: 200, state: next.value };
  if (op.kind === 'lock' && next.context.lock) {
    expected.lockId = next.context.lock.lockId;
    expected.expiresAt = next.context.lock.until;
  }
  return { next, expected };
}

/**
 * The internal event that ends a due lock: the machine's own `EXPIRE`, at the lock's deadline.
 *
 * @example
 * ```ts
 * specExpire(lockedSeat, lockedSeat.context.lock!.until).value; // 'available'
 * ```
 */
export function specExpire(seat: SpecSnapshot, now: number): SpecSnapshot {
  const until = seat.context.lock?.until ?? now;
  return applySeatEvent(seat, { type: 'EXPIRE', now: Math.max(now, until) })[0];
}

/**
 * Whether the recorded outcome is what the specification expects (unknown outcomes match all).
 *
 * @example
 * ```ts
 * outcomeMatches({ status: 409, code: 'SEAT_LOCKED' }, step.expected);
 * ```
 */
export function outcomeMatches(actual: Outcome | null, expected: Outcome): boolean {
  if (actual === null) return true;
  return (
    actual.status === expected.status &&
    actual.code === expected.code &&
    actual.state === expected.state &&
    actual.lockId === expected.lockId &&
    actual.expiresAt === expected.expiresAt
  );
}

/**
 * The part of a snapshot that can change what the seat does or reports later; two snapshots with
 * the same key are interchangeable for the rest of a history (a booking's instant is never read).
 *
 * @example
 * ```ts
 * seatKey(initialSeat(50)); // '["available",null,null,null]'
 * ```
 */
export function seatKey(seat: SpecSnapshot): string {
  const { lock, booking, expired } = seat.context;
  return JSON.stringify([
    seat.value,
    lock && [lock.userId, lock.lockId, lock.until],
    booking && [booking.userId, booking.lockId],
    expired && [expired.userId, expired.lockId],
  ]);
}

/** What a read reports: the state, and the deadline while locked. */
function readOf(seat: SpecSnapshot): Outcome {
  const state = seat.value;
  const expected: Outcome = { status: 200, state };
  if (state === 'locked' && seat.context.lock) expected.expiresAt = seat.context.lock.until;
  return expected;
}

function toEvent(op: Operation, now: number, drawn?: string): SeatRequestEvent {
  const userId = op.userId ?? '';
  switch (op.kind) {
    case 'lock':
      // The server draws the lockId; an accepted lock tells it, a refused one never needs it.
      return {
        type: 'LOCK',
        userId,
        lockId: op.outcome?.lockId ?? drawn ?? `unseen-${op.id}`,
        now,
      };
    case 'confirm':
      return { type: 'CONFIRM', userId, lockId: op.lockId, now };
    default:
      return { type: 'RELEASE', userId, lockId: op.lockId, now };
  }
}
