import type { AnyStateMachine } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatEvent, SeatReply } from '../../machines/seatTypes';
import { applySeatEvent } from '../../machines/run/stepSeat';

export const MODEL_TTL = 60_000;
export const USERS = ['alice', 'bob'] as const;

type SeatSnapshot = ReturnType<typeof seatMachine.transition>;
export type ModelPath = ReturnType<typeof getShortestPaths<typeof seatMachine>>[number];

/** Every event type some state of `machine` handles, read from the machine itself. */
export function eventTypes(machine: AnyStateMachine = seatMachine): string[] {
  const types = new Set<string>();
  const visit = (node: AnyStateMachine['root']) => {
    for (const type of node.ownEvents as string[]) types.add(type);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return [...types].sort();
}

/**
 * The events the model tries in every state: each event type the machine handles, from each user,
 * with no lockId, their own lock's id, and a stale one; and each delayed transition's event. Events are generated per type, so a new
 * event in the machine shows up here (and in every generated test) without editing this file.
 * Time stands still in the model (`now: 0`): locks end only through the machine's own delayed
 * transition, which the traversal takes as a step of its own.
 */
export function sampleEvents(): SeatEvent[] {
  const events: Record<string, unknown>[] = [];
  for (const type of eventTypes()) {
    // Delayed transitions (`xstate.after.lockTtl.seat.locked`) are steps of their own: "time is up".
    if (type.startsWith('xstate.after.')) {
      events.push({ type });
      continue;
    }
    if (type === 'EXPIRE') {
      events.push({ type, now: 0 });
      continue;
    }
    for (const userId of USERS) {
      if (type === 'HOLD' || type === 'EXTEND') {
        // A hold's own events: its id and deadline, relative to `now` like the model's clock
        // (later for an extension); never sent by single-seat HTTP routes, so only the actor
        // replays them (see isHoldStep).
        const until = type === 'HOLD' ? MODEL_TTL : 2 * MODEL_TTL;
        for (const holdId of [`H-${userId}`, 'H-stale'])
          events.push({ type, userId, holdId, until, now: 0 });
        continue;
      }
      const lockIds = type === 'LOCK' ? [`L-${userId}`] : [undefined, `L-${userId}`, 'stale'];
      for (const lockId of lockIds) events.push({ type, userId, lockId, now: 0 });
      // The hold's own confirm and release name the hold (its id is the lock's id).
      if (type !== 'LOCK')
        events.push({ type, userId, lockId: `H-${userId}`, holdId: `H-${userId}`, now: 0 });
    }
  }
  return events as SeatEvent[];
}

function serializeState(state: SeatSnapshot, event: SeatEvent | undefined): string {
  // The event is part of the key: otherwise an edge back to a state already seen (a refusal, a
  // release, an expiry) is dropped from the paths.
  return JSON.stringify([state.value, state.context, event ?? null]);
}

/**
 * The test paths the graph gives for the seat machine: the shortest path to every (state, last
 * event) pair, expiry steps (`xstate.after.lockTtl.seat.locked`) included, plus the simple paths
 * that never revisit a seat state (long runs such as lock → expire → lock → confirm).
 */
export function seatModelPaths(): ModelPath[] {
  const options = {
    events: sampleEvents(),
    // Only what the state handles (refusals included): an unhandled event would be a no-op step.
    filterEvents: (state: SeatSnapshot, event: SeatEvent) => state.can(event),
    serializeState,
    input: { ttlMs: MODEL_TTL },
  };
  const shortest = getShortestPaths(seatMachine, options);
  // Simple paths (every path that never revisits a seat) stay to single-seat requests: with the
  // hold's events too they number in the hundreds of thousands. Hold steps get shortest paths.
  const simple = getSimplePaths(seatMachine, {
    ...options,
    events: options.events.filter((event) => !isHoldStep(event)),
    serializeState: (state: SeatSnapshot) => JSON.stringify([state.value, state.context]),
  });
  return [...shortest, ...simple];
}

/** What the machine answers to `event` in `state`: its emitted reply, if any. */
export function expectedReply(state: SeatSnapshot, event: SeatEvent): SeatReply | undefined {
  return applySeatEvent(state, event)[1];
}

/**
 * A step only a multi-seat hold's host sends (HOLD, EXTEND, or a confirm or release naming its
 * hold): single-seat HTTP routes cannot send it, so HTTP replays skip paths with such steps.
 */
export function isHoldStep(event: object): boolean {
  return 'holdId' in event;
}

/** The event's `type` plus the fields a reader needs, e.g. `CONFIRM(bob, stale)`. */
export function describeStep(event: {
  type: string;
  userId?: string;
  lockId?: string;
  holdId?: string;
}): string {
  if (!('userId' in event)) return event.type;
  const names = [event.userId, event.holdId ? `hold ${event.holdId}` : event.lockId];
  return `${event.type}(${names.filter(Boolean).join(', ')})`;
}

export { getShortestPaths };
