import type { SeatSnapshot } from '../../../machines/run/stepSeat';

/**
 * A map that keeps at most `limit` entries, forgetting the least recently set first. A process's
 * cache of rows it read or wrote: an entry is only ever a guess, checked by version in the
 * statement that uses it, so forgetting one costs a round trip, never a wrong answer.
 *
 * @example
 * ```ts
 * const seats = new RowCache<number, CachedSeat>(2);
 * seats.set(1, a); seats.set(2, b); seats.set(3, c);
 * seats.get(1); // undefined: forgotten
 * ```
 */
export class RowCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    // Deleted first so the entry moves to the end: the map's order is the order of setting.
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

/** A seat's row as this process last saw it: the machine's snapshot and the row's version. */
export interface CachedSeat {
  snapshot: SeatSnapshot;
  /** 0: the seat had no row (still in the machine's initial state). */
  version: number;
}

/** The seats of one event this process read or wrote last, by index. */
export type SeatRowCache = RowCache<number, CachedSeat>;
