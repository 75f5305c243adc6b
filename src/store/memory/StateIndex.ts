import BTree from 'sorted-btree';
import type { SeatStateValue } from '../../../machines/seatTypes';

/** The states a venue keeps an ordered index of: every other seat is `available`. */
type IndexedState = Exclude<SeatStateValue, 'available'>;

/**
 * The seats of a venue of `size` seats by state: those `locked` and those `booked`, each as an
 * ordered set of seat indexes (a B+ tree, `sorted-btree`), and the `available` ones as ordered
 * runs of consecutive indexes (start → end, exclusive), one run per gap between taken seats. It
 * answers "how many" in O(1) and "the next `limit` after seat i" in O(log n + limit) for every
 * state, so counting and paging stays cheap in a venue of millions of seats, however full: a
 * nearly sold-out venue's last available seat is found without walking the sold ones. It records
 * what the machine did; it never decides a seat's state itself.
 *
 * @example
 * ```ts
 * const index = new StateIndex(100);
 * index.move(42, 'available', 'locked');
 * index.count('locked'); // 1
 * [...index.from('locked', 0)]; // [42]
 * index.from('available', 41).next().value; // 41, then 43
 * ```
 */
export class StateIndex {
  private readonly trees: Record<IndexedState, BTree<number, undefined>> = {
    locked: new BTree(),
    booked: new BTree(),
  };
  /** The available seats as runs: first index → index after the last. */
  private readonly runs = new BTree<number, number>();

  constructor(private readonly size: number) {
    if (size > 0) this.runs.set(0, size);
  }

  /** Records that seat `index` went from state `from` to state `to`. */
  move(index: number, from: SeatStateValue, to: SeatStateValue): void {
    if (from === to) return;
    if (from === 'available') this.take(index);
    else this.trees[from].delete(index);
    if (to === 'available') this.free(index);
    else this.trees[to].set(index, undefined);
  }

  /** How many seats are in `state`. */
  count(state: IndexedState): number {
    return this.trees[state].size;
  }

  /** The indexes of the seats in `state`, ascending, starting at `first` (inclusive). */
  from(state: SeatStateValue, first: number): IterableIterator<number> {
    return state === 'available' ? this.availableFrom(first) : this.trees[state].keys(first);
  }

  /**
   * The runs of available seats within `[start, end)`, clipped to it, in order: what best
   * available reads (a nearly sold-out venue's few free runs, without walking its sold seats).
   */
  runsWithin(start: number, end: number): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    const containing = this.runs.getPairOrNextLower(start);
    if (containing && containing[1] > start) runs.push([start, Math.min(containing[1], end)]);
    for (const [a, b] of this.runs.entries(start + 1)) {
      if (a >= end) break;
      runs.push([a, Math.min(b, end)]);
    }
    return runs;
  }

  /** Every seat available again. */
  clear(): void {
    this.trees.locked.clear();
    this.trees.booked.clear();
    this.runs.clear();
    if (this.size > 0) this.runs.set(0, this.size);
  }

  private *availableFrom(first: number): IterableIterator<number> {
    const containing = this.runs.getPairOrNextLower(first);
    let next = first;
    if (containing && containing[1] > first) {
      for (; next < containing[1]; next++) yield next;
    }
    for (const [start, end] of this.runs.entries(first + 1)) {
      for (let index = start; index < end; index++) yield index;
    }
  }

  /** Seat `index` leaves its run of available seats, splitting it. */
  private take(index: number): void {
    const run = this.runs.getPairOrNextLower(index);
    if (!run || run[1] <= index) return; // not in a run: nothing to take
    const [start, end] = run;
    if (start < index) this.runs.set(start, index);
    else this.runs.delete(start);
    if (index + 1 < end) this.runs.set(index + 1, end);
  }

  /** Seat `index` joins the runs of available seats, merging with its neighbours. */
  private free(index: number): void {
    const before = index > 0 ? this.runs.getPairOrNextLower(index - 1) : undefined;
    const after = this.runs.get(index + 1);
    if (before && before[1] > index) return; // already available
    const start = before && before[1] === index ? before[0] : index;
    const end = after ?? index + 1;
    if (after !== undefined) this.runs.delete(index + 1);
    this.runs.set(start, end);
  }
}
