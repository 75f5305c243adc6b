import BTree from 'sorted-btree';
import type { SeatStateValue } from '../../../machines/seatTypes';

/** The states a venue keeps an ordered index of: every other seat is `available`. */
type IndexedState = Exclude<SeatStateValue, 'available'>;

/**
 * The seats that are `locked` and those that are `booked`, each as an ordered set of seat indexes
 * (a B+ tree, `sorted-btree`). It answers "how many" in O(1) and "the next `limit` after seat i"
 * in O(log n + limit), so counting and paging a state stays cheap in a venue of millions of
 * seats. It records what the machine did; it never decides a seat's state itself.
 *
 * @example
 * ```ts
 * const index = new StateIndex();
 * index.move(42, 'available', 'locked');
 * index.count('locked'); // 1
 * [...index.from('locked', 0)]; // [42]
 * ```
 */
export class StateIndex {
  private readonly trees: Record<IndexedState, BTree<number, undefined>> = {
    locked: new BTree(),
    booked: new BTree(),
  };

  /** Records that seat `index` went from state `from` to state `to`. */
  move(index: number, from: SeatStateValue, to: SeatStateValue): void {
    if (from !== 'available') this.trees[from].delete(index);
    if (to !== 'available') this.trees[to].set(index, undefined);
  }

  /** How many seats are in `state`. */
  count(state: IndexedState): number {
    return this.trees[state].size;
  }

  /** The indexes of the seats in `state`, ascending, starting at `first` (inclusive). */
  from(state: IndexedState, first: number): IterableIterator<number> {
    return this.trees[state].keys(first);
  }

  /** Forgets every seat. */
  clear(): void {
    this.trees.locked.clear();
    this.trees.booked.clear();
  }
}
