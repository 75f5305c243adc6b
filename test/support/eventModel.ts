import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { eventMachine } from '../../machines/eventMachine';
import type { EventEvent, EventInput } from '../../machines/eventTypes';
import type { EventSnapshot } from '../../machines/run/stepEvent';
import { eventTypes } from './seatModel';

export type EventModelPath = ReturnType<typeof getShortestPaths<typeof eventMachine>>[number];

/** The windows the model starts events with: on sale from creation, and a timed window. */
export const MODEL_WINDOWS: EventInput[] = [
  { now: 0 },
  { now: 0, salesOpenAt: 1_000, salesCloseAt: 2_000 },
];

/**
 * The events the model tries in every state: each event type the machine handles (read from the
 * machine, so a new event shows up here without editing this file), and each delayed
 * transition's event as a step of its own ("the deadline came"). Time otherwise stands still in
 * the model (`now: 0`, the creation instant): deadlines pass only through the machine's timers.
 */
export function sampleEventEvents(): EventEvent[] {
  return eventTypes(eventMachine).map((type) =>
    type.startsWith('xstate.after.')
      ? ({ type } as unknown as EventEvent)
      : ({ type, now: 0 } as EventEvent),
  );
}

function serializeState(state: EventSnapshot, event: EventEvent | undefined): string {
  // The event is part of the key: otherwise an edge back to a state already seen is dropped.
  return JSON.stringify([state.value, state.context, event ?? null]);
}

/**
 * The test paths xstate/graph gives for the event machine, for each model window: the shortest
 * path to every (state, last event) pair, delayed transitions included, plus the simple paths
 * that never revisit a state (scheduled → on sale → closed → reopened → cancelled).
 */
export function eventModelPaths(): Array<{ window: EventInput; path: EventModelPath }> {
  return MODEL_WINDOWS.flatMap((window) => {
    const options = {
      events: sampleEventEvents(),
      // Only what the state handles (refusals included): an unhandled event would be a no-op.
      filterEvents: (state: EventSnapshot, event: EventEvent) => state.can(event),
      serializeState,
      input: window,
    };
    const shortest = getShortestPaths(eventMachine, options);
    const simple = getSimplePaths(eventMachine, {
      ...options,
      serializeState: (state: EventSnapshot) => JSON.stringify([state.value, state.context]),
    });
    return [...shortest, ...simple].map((path) => ({ window, path }));
  });
}

/** `OPEN`, or `open timer` / `close timer` for the delayed transitions. */
export function describeEventStep(event: { type: string }): string {
  if (event.type.includes('untilSalesOpen')) return 'open timer';
  if (event.type.includes('untilSalesClose')) return 'close timer';
  return event.type;
}
