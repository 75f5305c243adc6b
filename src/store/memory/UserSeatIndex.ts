import { ownerOf } from '../seatRecord';
import type { SeatRecord } from '../SeatStore';

/**
 * Which seats each user holds locked or has booked, kept as seats move, so `seatsOf(userId)`
 * costs the user's own seats and not a scan of the venue (a million-seat venue answers as fast
 * as a ten-seat one).
 *
 * @example
 * ```ts
 * const index = new UserSeatIndex();
 * index.update(12, lockedByAlice);
 * index.of('alice'); // [12]
 * ```
 */
export class UserSeatIndex {
  /** Seat index → the user whose lock or booking it is. */
  private readonly owners = new Map<number, string>();
  /** User → their seats' indexes. */
  private readonly seats = new Map<string, Set<number>>();

  /** Records seat `index` as the machine left it: its lock's or booking's user, or nobody. */
  update(index: number, seat: SeatRecord): void {
    const owner = ownerOf(seat);
    const before = this.owners.get(index);
    if (owner === before) return;
    if (before !== undefined) {
      const set = this.seats.get(before)!;
      set.delete(index);
      if (set.size === 0) this.seats.delete(before);
      this.owners.delete(index);
    }
    if (owner !== undefined) {
      this.owners.set(index, owner);
      let set = this.seats.get(owner);
      if (!set) this.seats.set(owner, (set = new Set()));
      set.add(index);
    }
  }

  /** The indexes of `userId`'s seats, in seat order. */
  of(userId: string): number[] {
    return [...(this.seats.get(userId) ?? [])].sort((a, b) => a - b);
  }

  clear(): void {
    this.owners.clear();
    this.seats.clear();
  }
}
