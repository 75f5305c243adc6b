import {
  createActor,
  initialTransition,
  type Actor,
  type InspectionEvent,
  type Snapshot,
} from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type {
  SeatLock,
  SeatReply,
  SeatRequestEvent,
  SeatStateValue,
} from '../../machines/seatTypes';
import type { Clock } from '../clock';
import type { Venue } from '../venue';
import type {
  ApplyResult,
  ListQuery,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from './SeatStore';
import { seatChanges } from './seatChanges';
import { isInitial, toRecord } from './seatRecord';

type SeatActor = Actor<typeof seatMachine>;

/**
 * A seat that is not in the machine's initial state: a live actor while it needs one (a lock's
 * timer), otherwise the actor's persisted snapshot.
 */
type Entry =
  { actor: SeatActor; frozen?: undefined } | { actor?: undefined; frozen: Snapshot<unknown> };

export interface MemorySeatStoreOptions {
  venue: Venue;
  ttlMs: number;
  clock: Clock;
  /** xstate inspection callback (the Stately inspector), given to every seat actor. */
  inspect?: (event: InspectionEvent) => void;
}

/**
 * Seats in this process, as virtual actors (the Orleans idea): a seat in the machine's initial
 * state has no actor and costs nothing. An actor is created when a request reaches the seat; once
 * the seat is settled it is stopped and dropped (back to initial), or frozen to its persisted
 * snapshot (booked, or available with a lapsed lock to report). Only locked seats keep a live actor,
 * because their expiry is a timer.
 *
 * Requests are handled synchronously inside `apply` (xstate's `send` on an idle actor runs to
 * completion), so no two requests ever interleave on one seat.
 *
 * @example
 * ```ts
 * const store = new MemorySeatStore({ venue: new Venue(10, 10), ttlMs: 60_000, clock: systemClock });
 * const { reply } = await store.apply('A1', { type: 'LOCK', userId: 'u1', lockId: 'L1', now: Date.now() });
 * ```
 */
export class MemorySeatStore implements SeatStore {
  readonly venue: Venue;
  private readonly entries = new Map<number, Entry>();
  private readonly counts = { locked: 0, booked: 0 };
  private readonly listeners = new Set<(transition: SeatTransition) => void>();
  /** The reply the seat being sent to emitted; `send` is synchronous so one slot is enough. */
  private lastReply: SeatReply | undefined;
  /** The seat as the machine starts it: what every seat without an entry is. */
  private readonly initial: Snapshot<unknown>;

  constructor(private readonly options: MemorySeatStoreOptions) {
    this.venue = options.venue;
    this.initial = initialTransition(seatMachine, { ttlMs: options.ttlMs })[0];
  }

  async apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    const index = this.indexOf(id);
    const actor = this.entries.get(index)?.actor ?? this.wake(index);
    this.lastReply = undefined;
    actor.send(event);
    const reply = this.lastReply as SeatReply | undefined;
    const seat = toRecord(id, actor.getSnapshot());
    this.settle(index, actor);
    return { reply, seat };
  }

  async get(id: string): Promise<SeatRecord> {
    return this.recordAt(this.indexOf(id));
  }

  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const seats: SeatRecord[] = [];
    let index = after === undefined ? 0 : this.indexOf(after) + 1;
    for (; index < this.venue.size && seats.length < limit; index++) {
      const record = this.recordAt(index);
      if (state === undefined || record.state === state) seats.push(record);
    }
    const next =
      index < this.venue.size && seats.length === limit ? seats[seats.length - 1].id : null;
    return { seats, next };
  }

  async summary(): Promise<SeatSummary> {
    const { locked, booked } = this.counts;
    const total = this.venue.size;
    return { total, available: total - locked - booked, locked, booked };
  }

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const entry of this.entries.values()) entry.actor?.stop();
    this.entries.clear();
    this.listeners.clear();
  }

  /** Memory is always reachable. */
  async ping(): Promise<void> {}

  /** How many seats have a live actor right now (for tests and benchmarks). */
  liveActorCount(): number {
    let live = 0;
    for (const entry of this.entries.values()) if (entry.actor) live++;
    return live;
  }

  private indexOf(id: string): number {
    const index = this.venue.indexOf(id);
    if (index === undefined) throw new RangeError(`No seat ${id} in this venue`);
    return index;
  }

  private recordAt(index: number): SeatRecord {
    const entry = this.entries.get(index);
    const id = this.venue.idAt(index);
    if (entry === undefined) return toRecord(id, this.initial);
    return toRecord(id, entry.actor ? entry.actor.getSnapshot() : entry.frozen);
  }

  /** Creates the seat's actor, from its frozen snapshot if it has one. */
  private wake(index: number): SeatActor {
    const { ttlMs, clock, inspect } = this.options;
    const id = this.venue.idAt(index);
    const frozen = this.entries.get(index)?.frozen;
    const actor = createActor(seatMachine, {
      id,
      input: { ttlMs },
      snapshot: frozen,
      clock,
      inspect,
    });
    actor.on('*', (reply) => {
      this.lastReply = reply;
    });
    let from = (frozen ? toRecord(id, frozen).state : 'available') as SeatStateValue;
    let lock: SeatLock | null = null; // frozen seats are never locked
    actor.subscribe((snapshot) => {
      const { state: to, context } = toRecord(id, snapshot);
      const changes = seatChanges(from, lock, to, context);
      lock = context.lock;
      if (to !== from) {
        this.count(from, -1);
        this.count(to, +1);
      }
      for (const change of changes) this.publish({ id, ...change });
      from = to;
      // A timer (lock expiry) changed the seat outside `apply`: settle it once the step is over.
      if (to === 'available' && changes.length > 0) queueMicrotask(() => this.settle(index, actor));
    });
    actor.start();
    this.entries.set(index, { actor });
    return actor;
  }

  /** Keeps a live actor only while the seat needs its timer; otherwise freezes or drops it. */
  private settle(index: number, actor: SeatActor): void {
    if (this.entries.get(index)?.actor !== actor) return; // already settled
    const snapshot = actor.getSnapshot();
    if (snapshot.value === 'locked') return;
    const frozen = actor.getPersistedSnapshot();
    actor.stop();
    if (isInitial(toRecord(actor.id, snapshot))) this.entries.delete(index);
    else this.entries.set(index, { frozen });
  }

  private publish(transition: Omit<SeatTransition, 'at'>): void {
    const full: SeatTransition = { ...transition, at: this.options.clock.now() };
    for (const listener of this.listeners) listener(full);
  }

  private count(state: SeatStateValue, delta: number): void {
    if (state !== 'available') this.counts[state] += delta;
  }
}
