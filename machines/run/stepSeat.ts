import type { SnapshotFrom } from 'xstate';
import { seatMachine } from '../seatMachine';
import type { SeatEmitted, SeatEvent, SeatReply, SeatStateValue } from '../seatTypes';
import { allEmitted, pureStepper, sameSnapshot } from './pureStepper';
import { seatChanges, seatReply, type SeatChange } from './seatChanges';

/** One scope for every seat: the TTL given here never reaches the snapshots stepped. */
const step = pureStepper(seatMachine, { ttlMs: 1 });

export type SeatSnapshot = SnapshotFrom<typeof seatMachine>;

/**
 * One event through the seat machine, purely: the next snapshot, the reply the machine emitted
 * (`undefined` for EXPIRE, or when no transition handled the event) and the moves it announced.
 * Every place that steps a seat snapshot (the PostgreSQL store, the linearizability checker's
 * specification, tests) uses this.
 *
 * @example
 * ```ts
 * const [next, reply] = applySeatEvent(seat, { type: 'CONFIRM', userId: 'bob', now });
 * reply; // { type: 'seat.refused', code: 'NOT_LOCKED' }
 * ```
 */
export function applySeatEvent(
  seat: SeatSnapshot,
  event: SeatEvent,
): [next: SeatSnapshot, reply: SeatReply | undefined, changes: SeatChange[]] {
  const [next, actions] = step(seat, event);
  const emitted = allEmitted<SeatEmitted>(actions);
  return [next, seatReply(emitted), seatChanges(emitted)];
}

/** What one event did to a seat held as a snapshot rather than a running actor. */
export interface SeatStep {
  /** The seat after the event (the very `before` object when nothing changed). */
  snapshot: SeatSnapshot;
  /** The machine's reply to a request event; `undefined` for EXPIRE. */
  reply: SeatReply | undefined;
  /** Every state the seat passed through, starting with the one it was in (no repeats). */
  states: SeatStateValue[];
  /** The transitions along the way, with their reason and lock holder (what a store publishes). */
  changes: SeatChange[];
  /** Whether the snapshot differs from `before` and so must be written back. */
  changed: boolean;
  /**
   * The deadline of the lock the step was decided on, when that lock was still live at the
   * event's `now` (the machine's EXPIRE moved nothing): the step is the machine's answer only
   * before it. A store whose write lands later (a slow commit) must not write the step: at that
   * time the seat has expired, and the request is to be judged again.
   */
  liveUntil: number | undefined;
}

/**
 * Sends `event` to a seat held as a snapshot, with a pure step of the machine (no actor, no timer):
 * how a store that keeps seats outside the process, in a database, runs the machine.
 *
 * A persisted snapshot has no pending timer, so time is told first: an `EXPIRE{now}` with the
 * event's `now` lets the machine expire a lock whose deadline has passed before it sees the
 * request. (The machine re-checks the deadline on every request too; this makes the expiry a
 * transition of its own, which subscribers see.) The machine alone decides; this only runs it.
 *
 * @example
 * ```ts
 * const [initial] = initialTransition(seatMachine, { ttlMs: 60_000 });
 * const step = stepSeat(initial, { type: 'LOCK', userId: 'u1', lockId: 'L1', now: Date.now() });
 * step.reply; // { type: 'seat.accepted' }
 * step.states; // ['available', 'locked']
 * step.changes; // [{ from: 'available', to: 'locked', reason: 'locked', userId: 'u1' }]
 * ```
 */
export function stepSeat(before: SeatSnapshot, event: SeatEvent): SeatStep {
  const states: SeatStateValue[] = [before.value];
  const changes: SeatChange[] = [];
  const visit = (to: SeatSnapshot, moves: SeatChange[]) => {
    if (to.value !== states[states.length - 1]) states.push(to.value);
    changes.push(...moves);
  };
  const [expired, , moves] = applySeatEvent(before, { type: 'EXPIRE', now: event.now });
  visit(expired, moves);
  const lock = before.context.lock;
  const liveUntil = lock && moves.length === 0 ? lock.until : undefined;
  let snapshot = expired;
  let reply: SeatReply | undefined;
  if (event.type !== 'EXPIRE') {
    const [next, answer, more] = applySeatEvent(snapshot, event);
    reply = answer;
    visit(next, more);
    snapshot = next;
  }
  return {
    snapshot,
    reply,
    states,
    changes,
    changed: !sameSnapshot(before, snapshot),
    liveUntil,
  };
}

/**
 * The seat as the machine sees it at `now`: a lock whose deadline has passed is expired (a pure
 * `EXPIRE{now}` step; nothing is kept). How a store shows a seat it has not written since.
 *
 * @example
 * ```ts
 * seatAt(restoreSeat(row.snapshot), Date.now()).value; // 'available' once the lock is due
 * ```
 */
export function seatAt(seat: SeatSnapshot, now: number): SeatSnapshot {
  return applySeatEvent(seat, { type: 'EXPIRE', now })[0];
}

/**
 * Whether `userId` holds a lock on the seat that still counts at `now`, as the machine decides it
 * (the same `EXPIRE{now}` step): what the per-user lock cap counts.
 *
 * @example
 * ```ts
 * holdsLiveLock(restoreSeat(row.snapshot), 'alice', Date.now()); // false once the lock is due
 * ```
 */
export function holdsLiveLock(seat: SeatSnapshot, userId: string, now: number): boolean {
  return seatAt(seat, now).context.lock?.userId === userId;
}

/**
 * Restores a seat from the JSON a store kept (`persistSeat`'s output).
 *
 * @example
 * ```ts
 * const seat = restoreSeat(JSON.parse(row.snapshot));
 * ```
 */
export function restoreSeat(persisted: unknown): SeatSnapshot {
  return seatMachine.resolveState(persisted as Parameters<typeof seatMachine.resolveState>[0]);
}

/**
 * The JSON-safe form of a seat's snapshot, as a store keeps it.
 *
 * @example
 * ```ts
 * JSON.stringify(persistSeat(step.snapshot));
 * ```
 */
export function persistSeat(snapshot: SeatSnapshot): unknown {
  return seatMachine.getPersistedSnapshot(snapshot);
}
