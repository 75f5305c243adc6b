import type { SeatStateValue } from '../../../machines/seatTypes';
import { persistSeat, type SeatSnapshot } from '../../../machines/run/stepSeat';
import type { Layout } from '../../layout/Layout';
import { COUNT_BLOCK, COUNT_SHARDS } from './schema';

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
 * The counter row a seat's changes are counted in: its block (for pages that skip full blocks)
 * and, within the block, its shard (so concurrent writers rarely queue on one row).
 *
 * @example
 * ```ts
 * counterOf(2050); // { block: 1, shard: 2 }
 * ```
 */
export function counterOf(index: number): { block: number; shard: number } {
  return { block: Math.floor(index / COUNT_BLOCK), shard: index % COUNT_SHARDS };
}

/**
 * The parameters of `sql.addToCounts` for several seats' steps: each counter row's summed change,
 * rows that do not change left out, in (block, shard) order, the order every batched writer
 * locks counter rows in (so two can never deadlock on them).
 *
 * @example
 * ```ts
 * countArrays('default', [{ idx: 3, states: ['available', 'locked'] }]);
 * // ['default', [0], [3], [1], [0]]
 * ```
 */
export function countArrays(
  eventId: string,
  seats: ReadonlyArray<{ idx: number; states: SeatStateValue[] }>,
): [string, number[], number[], number[], number[]] {
  const sums = new Map<number, { block: number; shard: number; locked: number; booked: number }>();
  for (const { idx, states } of seats) {
    const { block, shard } = counterOf(idx);
    const key = block * COUNT_SHARDS + shard;
    const delta = countDelta(states);
    const sum = sums.get(key) ?? { block, shard, locked: 0, booked: 0 };
    sums.set(key, {
      block,
      shard,
      locked: sum.locked + delta.locked,
      booked: sum.booked + delta.booked,
    });
  }
  const rows = [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, sum]) => sum)
    .filter(({ locked, booked }) => locked !== 0 || booked !== 0);
  return [
    eventId,
    rows.map((r) => r.block),
    rows.map((r) => r.shard),
    rows.map((r) => r.locked),
    rows.map((r) => r.booked),
  ];
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
