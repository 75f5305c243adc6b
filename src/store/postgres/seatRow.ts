import type { SeatStateValue } from '../../../machines/seatTypes';
import { persistSeat, type SeatSnapshot } from '../../../machines/run/stepSeat';
import type { Layout } from '../../layout/Layout';

/** A seat's row as the store reads it back. */
export interface SeatRow {
  idx: number;
  snapshot: unknown;
  version: number;
}

/**
 * The columns a snapshot is stored in: the snapshot itself, plus what the indexes need (these
 * repeat the snapshot; no rule is decided from them in SQL).
 *
 * @example
 * ```ts
 * columns(step.snapshot); // { state: 'locked', snapshot: '{…}', lockedUntil: 1700000060000, holder: 'alice' }
 * ```
 */
export function columns(snapshot: SeatSnapshot): {
  state: SeatStateValue;
  snapshot: string;
  lockedUntil: number | null;
  holder: string | null;
} {
  // The machine keeps a lock in context only while the seat is locked.
  const lock = snapshot.context.lock;
  return {
    state: snapshot.value,
    snapshot: JSON.stringify(persistSeat(snapshot)),
    lockedUntil: lock ? lock.until : null,
    holder: lock ? lock.userId : null,
  };
}

/**
 * The parameters of a batched seat write (`sql.writeExpiries`, `sql.insertSeats`): the event, then
 * one array per column, from each seat's index and new snapshot. The sweeper and the multi-seat
 * apply both write this way.
 *
 * @example
 * ```ts
 * await client.query(sql.writeExpiries, seatArrays('default', [{ idx: 0, snapshot }]));
 * ```
 */
export function seatArrays(
  eventId: string,
  seats: ReadonlyArray<{ idx: number; snapshot: SeatSnapshot }>,
): [string, number[], SeatStateValue[], string[], Array<number | null>, Array<string | null>] {
  const written = seats.map(({ idx, snapshot }) => ({ idx, ...columns(snapshot) }));
  return [
    eventId,
    written.map((w) => w.idx),
    written.map((w) => w.state),
    written.map((w) => w.snapshot),
    written.map((w) => w.lockedUntil),
    written.map((w) => w.holder),
  ];
}

/**
 * How the locked and booked counts change along a path of states.
 *
 * @example
 * ```ts
 * countDelta(['locked', 'available', 'locked']); // { locked: 0, booked: 0 }
 * ```
 */
export function countDelta(states: SeatStateValue[]): { locked: number; booked: number } {
  const from = states[0];
  const to = states[states.length - 1];
  const delta = (state: SeatStateValue) => Number(to === state) - Number(from === state);
  return { locked: delta('locked'), booked: delta('booked') };
}

/**
 * The row index of seat `id`, which the caller has checked exists.
 *
 * @example
 * ```ts
 * seatIndex(new Venue(10, 10), 'B1'); // 10
 * ```
 */
export function seatIndex(layout: Layout, id: string): number {
  const index = layout.indexOf(id);
  if (index === undefined) throw new RangeError(`No seat ${id} in this event`);
  return index;
}
