import { initialTransition, type SnapshotFrom } from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatRequestEvent } from '../../machines/seatTypes';
import { applySeatEvent } from '../../machines/run/stepSeat';
import type {
  ApplyAllResult,
  ApplyResult,
  RefusedSeat,
  SeatRequest,
  ListQuery,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from '../../src/store/SeatStore';
import { ownerOf } from '../../src/store/seatRecord';
import type { Venue } from '../../src/venue';
import type { LockQuota } from '../../src/store/LockQuota';
import { MemoryLockQuota } from '../../src/store/memory/MemoryLockQuota';
import { MemoryHoldStore } from '../../src/store/memory/MemoryHoldStore';
import type { HoldStore } from '../../src/store/HoldStore';
import type { IdempotencyKeys } from '../../src/idempotency/IdempotencyKeys';
import { MemoryIdempotencyKeys } from '../../src/idempotency/MemoryIdempotencyKeys';
import type { ClientLockQuota } from '../../src/store/ClientLockQuota';
import { MemoryClientLockQuota } from '../../src/store/memory/MemoryClientLockQuota';

type SeatSnapshot = SnapshotFrom<typeof seatMachine>;

/**
 * A DELIBERATELY BROKEN seat host, for showing that the linearizability checker catches races. It
 * reads a seat's snapshot, awaits (as a database round trip would), then applies the event to the
 * snapshot it read and writes the result back: check-then-act without holding the seat, so two
 * concurrent locks can both be accepted and the later write silently overwrites the earlier one.
 * The rules still come from the machine; only the hosting is wrong. Locks never expire by timer
 * (a request after the deadline still sees it as due), which the checker allows.
 *
 * @example
 * ```ts
 * const { app } = createApp({ store: new CheckThenActSeatStore(new Venue(1, 2), 50) });
 * ```
 */
export class CheckThenActSeatStore implements SeatStore {
  private readonly seats = new Map<string, SeatSnapshot>();
  private readonly initial: SeatSnapshot;

  constructor(
    readonly venue: Venue,
    ttlMs: number,
    /** The await between check and act; a test may hand in fast-check's scheduler. */
    private readonly pause: () => Promise<unknown> = () =>
      new Promise((resolve) => setImmediate(resolve)),
  ) {
    this.initial = initialTransition(seatMachine, { ttlMs })[0];
  }

  async apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    const read = this.seats.get(id) ?? this.initial;
    await this.pause(); // the race window
    const [next, reply] = applySeatEvent(read, event);
    this.seats.set(id, next);
    return { reply, seat: this.record(id) };
  }

  /**
   * Several seats, NOT atomically: each seat is read, awaited and written on its own, and the
   * seats before a refused one stay changed (a partial hold), which the history checker must catch.
   */
  async applyAll(requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    const refused: RefusedSeat[] = [];
    const seats: SeatRecord[] = [];
    for (const { id, event } of requests) {
      const { reply, seat } = await this.apply(id, event);
      if (reply?.type === 'seat.accepted') seats.push(seat);
      else refused.push({ id, reply, seat });
    }
    return refused.length > 0 ? { ok: false, refused } : { ok: true, seats };
  }

  async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    const runs: Array<[number, number]> = [];
    for (let index = start; index < end; index++) {
      if (this.record(this.venue.idAt(index)).state !== 'available') continue;
      const last = runs[runs.length - 1];
      if (last && last[1] === index) last[1] = index + 1;
      else runs.push([index, index + 1]);
    }
    return runs;
  }

  async get(id: string): Promise<SeatRecord> {
    return this.record(id);
  }

  async list({ limit }: ListQuery): Promise<SeatPage> {
    const seats: SeatRecord[] = [];
    for (let i = 0; i < Math.min(limit, this.venue.size); i++) {
      seats.push(this.record(this.venue.idAt(i)));
    }
    return { seats, next: null };
  }

  async summary(): Promise<SeatSummary> {
    const counts = { available: 0, locked: 0, booked: 0 };
    for (const { state } of (await this.list({ limit: this.venue.size })).seats) counts[state]++;
    return { total: this.venue.size, ...counts };
  }

  /** A scan: this store is a broken stand-in, never big. */
  async seatsOf(userId: string): Promise<SeatRecord[]> {
    return [...this.seats.keys()].map((id) => this.record(id)).filter((s) => ownerOf(s) === userId);
  }

  subscribe(_listener: (transition: SeatTransition) => void): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.seats.clear();
  }

  async ping(): Promise<void> {}

  subscribeGaps(_listener: () => void): () => void {
    return () => undefined;
  }

  async sessionKey(): Promise<undefined> {
    return undefined;
  }

  /** Holds over this store's non-atomic multi-seat step. */
  createHolds(): HoldStore {
    return new MemoryHoldStore((requests) => this.applyAll(requests));
  }

  createIdempotencyKeys(): IdempotencyKeys {
    return new MemoryIdempotencyKeys();
  }

  /** The per-process cap; it hears no transitions from this store, so it never refuses. */
  createLockQuota(max: number): LockQuota {
    return new MemoryLockQuota(this, max);
  }

  /** Likewise for the per-client cap. */
  createClientLockQuota(max: number): ClientLockQuota {
    return new MemoryClientLockQuota(this, max);
  }

  private record(id: string): SeatRecord {
    const snapshot = this.seats.get(id) ?? this.initial;
    return { id, state: snapshot.value, context: snapshot.context };
  }
}
