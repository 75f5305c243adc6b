/**
 * Which seats each user holds locked or has booked, kept as seats move, so `seatsOf(userId)`
 * costs the user's own seats and not a scan of the venue (a million-seat venue answers as fast
 * as a ten-seat one). A user with one seat (most of them) costs one map entry holding the seat's
 * index; a set is made only for a user's second seat.
 *
 * @example
 * ```ts
 * const index = new UserSeatIndex();
 * index.move(12, undefined, 'alice'); // alice locked seat 12
 * index.of('alice'); // [12]
 * ```
 */
export class UserSeatIndex {
  /** User → their seat's index, or the set of their seats' indexes when they have several. */
  private readonly seats = new Map<string, number | Set<number>>();

  /** Records that seat `index` went from `before`'s lock or booking to `after`'s (or nobody's). */
  move(index: number, before: string | undefined, after: string | undefined): void {
    if (before === after) return;
    if (before !== undefined) this.remove(before, index);
    if (after !== undefined) this.add(after, index);
  }

  /** The indexes of `userId`'s seats, in seat order. */
  of(userId: string): number[] {
    const seats = this.seats.get(userId);
    if (seats === undefined) return [];
    return typeof seats === 'number' ? [seats] : [...seats].sort((a, b) => a - b);
  }

  clear(): void {
    this.seats.clear();
  }

  private add(userId: string, index: number): void {
    const seats = this.seats.get(userId);
    if (seats === undefined) this.seats.set(userId, index);
    else if (typeof seats === 'number') this.seats.set(userId, new Set([seats, index]));
    else seats.add(index);
  }

  private remove(userId: string, index: number): void {
    const seats = this.seats.get(userId);
    if (seats === index) this.seats.delete(userId);
    else if (typeof seats === 'object') {
      seats.delete(index);
      if (seats.size === 1) this.seats.set(userId, seats.values().next().value!);
    }
  }
}
