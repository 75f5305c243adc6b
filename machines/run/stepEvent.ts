import { initialTransition, type SnapshotFrom } from 'xstate';
import { eventMachine } from '../eventMachine';
import type { EventEvent, EventInput, EventReply, SalesState } from '../eventTypes';
import { emitted, pureStepper, sameSnapshot } from './pureStepper';

/** One scope for every event: the input given here never reaches the snapshots stepped. */
const step = pureStepper(eventMachine, { now: 0 });

export type EventSnapshot = SnapshotFrom<typeof eventMachine>;

/** What one host event did to an event's sales window held as a snapshot. */
export interface EventStep {
  /** The event after the step (the very `before` object when nothing changed). */
  snapshot: EventSnapshot;
  /** The machine's reply to a request or admin event; `undefined` for TICK. */
  reply: EventReply | undefined;
  /** Whether the snapshot differs from `before` and so must be written back. */
  changed: boolean;
}

/**
 * A new event's sales window as the machine starts it at `input.now`: `onSale`, `scheduled` or
 * already `closed`.
 *
 * @example
 * ```ts
 * startEvent({ now: Date.now() }).value; // 'onSale'
 * ```
 */
export function startEvent(input: EventInput): EventSnapshot {
  return initialTransition(eventMachine, input)[0];
}

/**
 * Sends `event` to an event's sales window held as a snapshot, with a pure step of the machine (no
 * actor, no timer): how both stores run it. No TICK is needed first: every request and admin event
 * re-checks the deadlines against its own `now` in the machine (a request that finds the close
 * passed moves the window to `closed` and is answered as there), so one step decides. The machine
 * alone decides; this only runs it.
 *
 * @example
 * ```ts
 * const { reply } = stepEvent(snapshot, { type: 'REQUEST_LOCK', now: Date.now() });
 * reply; // { type: 'sales.refused', code: 'SALES_CLOSED', state: 'closed', salesOpenAt: null }
 * ```
 */
export function stepEvent(before: EventSnapshot, event: EventEvent): EventStep {
  const [snapshot, actions] = step(before, event);
  const reply = event.type === 'TICK' ? undefined : emitted<EventReply>(actions);
  return { snapshot, reply, changed: !sameSnapshot(before, snapshot) };
}

/**
 * The sales state at `now`, without changing anything: what reads (listings, details) show, as
 * the machine sees it now rather than as it was last written.
 *
 * @example
 * ```ts
 * salesStateAt(snapshot, Date.now()); // 'closed'
 * ```
 */
export function salesStateAt(snapshot: EventSnapshot, now: number): SalesState {
  return stepEvent(snapshot, { type: 'TICK', now }).snapshot.value as SalesState;
}

/** Restores an event's sales window from the JSON a store kept (`persistEvent`'s output). */
export function restoreEvent(persisted: unknown): EventSnapshot {
  return eventMachine.resolveState(persisted as Parameters<typeof eventMachine.resolveState>[0]);
}

/** The JSON-safe form of an event's sales window, as a store keeps it. */
export function persistEvent(snapshot: EventSnapshot): unknown {
  return eventMachine.getPersistedSnapshot(snapshot);
}
