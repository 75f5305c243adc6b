import type { Snapshot } from 'xstate';
import type { SeatStateValue } from '../../machines/seatTypes';
import type { SeatRecord } from './SeatStore';

/**
 * A seat record from a machine snapshot, live or persisted: only its state value and context.
 *
 * @example
 * ```ts
 * toRecord('A1', actor.getSnapshot()); // { id: 'A1', state: 'available', context: {…} }
 * ```
 */
export function toRecord(id: string, snapshot: Snapshot<unknown>): SeatRecord {
  const { value, context } = snapshot as unknown as Pick<SeatRecord, 'context'> & {
    value: SeatStateValue;
  };
  return { id, state: value, context };
}

/**
 * A seat exactly as the machine starts it: stores keep nothing for such a seat.
 *
 * @example
 * ```ts
 * isInitial(toRecord('A1', initialTransition(seatMachine, { ttlMs: 1000 })[0])); // true
 * ```
 */
export function isInitial({ state, context }: SeatRecord): boolean {
  return state === 'available' && !context.lock && !context.booking && !context.expired;
}

/**
 * Whose a seat is: its lock's user while locked, its booking's once booked, else nobody.
 *
 * @example
 * ```ts
 * ownerOf(await store.get('A1')); // 'alice'
 * ```
 */
export function ownerOf({ state, context }: SeatRecord): string | undefined {
  if (state === 'locked') return context.lock?.userId;
  if (state === 'booked') return context.booking?.userId;
  return undefined;
}
