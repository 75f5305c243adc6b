import { SimulatedClock, type Snapshot } from 'xstate';
import { eventMachine } from '../../machines/eventMachine';
import type { EventInput } from '../../machines/eventTypes';
import { machineActor } from './machineActor';

/**
 * A started event actor on a simulated clock (starting at 0), with the replies it emitted; the
 * window is given relative to that clock. `snapshot` restores a persisted one instead.
 *
 * @example
 * ```ts
 * const event = eventActor({ salesOpenAt: 1_000 });
 * event.send({ type: 'REQUEST_LOCK' }); // { type: 'sales.refused', code: 'SALES_NOT_OPEN', … }
 * event.clock.increment(1_000);
 * event.state; // 'onSale'
 * ```
 */
export function eventActor(window: Omit<EventInput, 'now'> = {}, snapshot?: Snapshot<unknown>) {
  const clock = new SimulatedClock();
  return machineActor(eventMachine, { now: clock.now(), ...window }, { snapshot, clock });
}
