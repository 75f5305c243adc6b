import type { SnapshotFrom } from 'xstate';
import { seatMachine } from '../seatMachine';
import type { SeatEvent, SeatReply, SeatStateValue } from '../seatTypes';
import { emitted, pureStepper } from './pureStepper';
import { seatChanges, type SeatChange } from './seatChanges';

/** One scope for every seat: the TTL given here never reaches the snapshots stepped. */
const step = pureStepper(seatMachine, { ttlMs: 1 });

export type SeatSnapshot = SnapshotFrom<typeof seatMachine>;

/**
 * One event through the seat machine, purely: the next snapshot and the reply the machine emitted
 * (`undefined` for EXPIRE, or when no transition handled the event). Every place that steps a seat
 * snapshot (the PostgreSQL store, the linearizability checker's specification, tests) uses this.
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
): [next: SeatSnapshot, reply: SeatReply | undefined] {
  const [next, actions] = step(seat, event);
  return [next, emitted<SeatReply>(actions)];
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
 * step.changes; // [{ from: 'available', to: 'locked', reason: 'lock', userId: 'u1' }]
 * ```
 */
export function stepSeat(before: SeatSnapshot, event: SeatEvent): SeatStep {
  const states: SeatStateValue[] = [before.value];
  const changes: SeatChange[] = [];
  const visit = (from: SeatSnapshot, to: SeatSnapshot) => {
    if (to.value !== states[states.length - 1]) states.push(to.value);
    changes.push(...seatChanges(from.value, from.context.lock, to.value, to.context));
  };
  let [snapshot] = applySeatEvent(before, { type: 'EXPIRE', now: event.now });
  visit(before, snapshot);
  let reply: SeatReply | undefined;
  if (event.type !== 'EXPIRE') {
    const [next, answer] = applySeatEvent(snapshot, event);
    reply = answer;
    visit(snapshot, next);
    snapshot = next;
  }
  return { snapshot, reply, states, changes, changed: !sameSeat(before, snapshot) };
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

function sameSeat(a: SeatSnapshot, b: SeatSnapshot): boolean {
  return (
    a === b || (a.value === b.value && JSON.stringify(a.context) === JSON.stringify(b.context))
  );
}
