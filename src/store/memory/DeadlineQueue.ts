import type { Clock } from '../../clock';

/**
 * Deadlines of many seats on one timer: a binary min-heap of `(until, seat index)` pairs kept in
 * typed arrays (12 bytes a pair, no object per deadline), and a single clock timer armed at the
 * earliest one. When it fires, every pair whose deadline the clock has reached is handed to
 * `onDue` in one call, earliest first (so a hold's seats, which share a deadline, are told in one
 * synchronous step); a timer that woke before the clock reached the earliest deadline is armed
 * again for the rest.
 *
 * A pair is never removed before it is due: a seat released, or locked again with another
 * deadline, leaves its old pair behind, and whoever handles `onDue` checks that the seat is still
 * armed at that deadline. {@link compact} drops the stale pairs when they pile up.
 *
 * @example
 * ```ts
 * const queue = new DeadlineQueue(clock, (due) => due.forEach(([until, seat]) => expire(seat, until)));
 * queue.add(clock.now() + 60_000, 42);
 * ```
 */
export class DeadlineQueue {
  private untils = new Float64Array(64);
  private seats = new Int32Array(64);
  private count = 0;
  private timer: unknown;
  /** The deadline the timer is armed at (Infinity when none is). */
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (due: Array<[until: number, seat: number]>) => void,
  ) {}

  /** How many pairs are queued, stale ones included. */
  get size(): number {
    return this.count;
  }

  /** Queues seat `seat`'s deadline `until`, and brings the timer forward if it is the earliest. */
  add(until: number, seat: number): void {
    if (this.count === this.untils.length) this.grow();
    let i = this.count++;
    // Sift up: most deadlines are later than every queued one (now + TTL), so this rarely moves.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.untils[parent] <= until) break;
      this.untils[i] = this.untils[parent];
      this.seats[i] = this.seats[parent];
      i = parent;
    }
    this.untils[i] = until;
    this.seats[i] = seat;
    if (until < this.armedAt) this.arm();
  }

  /** Every queued pair, in no particular order. */
  *entries(): IterableIterator<[until: number, seat: number]> {
    for (let i = 0; i < this.count; i++) yield [this.untils[i], this.seats[i]];
  }

  /** Keeps only the pairs `keep` accepts (the stale ones are dropped), in O(n). */
  compact(keep: (until: number, seat: number) => boolean): void {
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      if (!keep(this.untils[i], this.seats[i])) continue;
      this.untils[kept] = this.untils[i];
      this.seats[kept] = this.seats[i];
      kept++;
    }
    this.count = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.arm();
  }

  /** Empties the queue and stops its timer. */
  clear(): void {
    this.count = 0;
    this.disarm();
  }

  /** The timer fired: hands over every pair that is due, then arms for the next deadline. */
  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    const due: Array<[number, number]> = [];
    while (this.count > 0 && this.untils[0] <= now) due.push(this.pop());
    if (due.length > 0) this.onDue(due);
    this.arm();
  }

  private pop(): [number, number] {
    const top: [number, number] = [this.untils[0], this.seats[0]];
    this.count--;
    if (this.count > 0) {
      this.untils[0] = this.untils[this.count];
      this.seats[0] = this.seats[this.count];
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const until = this.untils[start];
    const seat = this.seats[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.count) break;
      if (child + 1 < this.count && this.untils[child + 1] < this.untils[child]) child++;
      if (this.untils[child] >= until) break;
      this.untils[i] = this.untils[child];
      this.seats[i] = this.seats[child];
      i = child;
    }
    this.untils[i] = until;
    this.seats[i] = seat;
  }

  /** Arms the one timer at the earliest deadline (or none when the queue is empty). */
  private arm(): void {
    const next = this.count > 0 ? this.untils[0] : Infinity;
    if (next === this.armedAt) return;
    this.disarm();
    if (next === Infinity) return;
    this.armedAt = next;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, next - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private grow(): void {
    const untils = new Float64Array(this.untils.length * 2);
    const seats = new Int32Array(this.seats.length * 2);
    untils.set(this.untils);
    seats.set(this.seats);
    this.untils = untils;
    this.seats = seats;
  }
}
