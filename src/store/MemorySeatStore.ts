import {
  createActor,
  initialTransition,
  type Actor,
  type InspectionEvent,
  type Snapshot,
} from 'xstate';
import { seatMachine } from '../../machines/seatMachine';
import type { SeatReply, SeatRequestEvent, SeatStateValue } from '../../machines/seatTypes';
import type { Clock } from '../clock';
import type { Venue } from '../venue';
import { StateIndex } from './StateIndex';
import type {
  ApplyResult,
  ListQuery,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from './SeatStore';

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
  /** Which seats are locked and which booked, in seat order: counts and pages without a scan. */
  private readonly states = new StateIndex();
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

  /**
   * One page of seats in venue order, in O(page): locked and booked seats come from their ordered
   * index; the whole venue and `available` seats are walked from the cursor (seats without an
   * entry cost one map lookup each).
   */
  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const start = after === undefined ? 0 : this.indexOf(after) + 1;
    if (state === 'locked' || state === 'booked') return this.listIndexed(state, start, limit);
    const seats: SeatRecord[] = [];
    let index = start;
    for (; index < this.venue.size && seats.length < limit; index++) {
      const record = this.recordAt(index);
      if (state === undefined || record.state === state) seats.push(record);
    }
    // A full page that stopped before the venue's end says where to go on; for `available` the
    // rest may hold none, so that last page can come back empty (finding out would be a scan).
    const next = seats.length === limit && index < this.venue.size ? seats[limit - 1].id : null;
    return { seats, next };
  }

  async summary(): Promise<SeatSummary> {
    const locked = this.states.count('locked');
    const booked = this.states.count('booked');
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
    this.states.clear();
    this.listeners.clear();
  }

  /** How many seats have a live actor right now (for tests and benchmarks). */
  liveActorCount(): number {
    let live = 0;
    for (const entry of this.entries.values()) if (entry.actor) live++;
    return live;
  }

  /** How many seats are kept as a frozen snapshot, with no actor (for tests and benchmarks). */
  frozenCount(): number {
    return this.entries.size - this.liveActorCount();
  }

  /** A page of the seats in an indexed state: O(log n + limit), and `next` is exact. */
  private listIndexed(state: 'locked' | 'booked', start: number, limit: number): SeatPage {
    const seats: SeatRecord[] = [];
    const indexes = this.states.from(state, start);
    let step = indexes.next();
    for (; !step.done && seats.length < limit; step = indexes.next()) {
      seats.push(this.recordAt(step.value));
    }
    return { seats, next: step.done ? null : seats[seats.length - 1].id };
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
    actor.subscribe((snapshot) => {
      const to = snapshot.value as SeatStateValue;
      if (to === from) return;
      this.states.move(index, from, to);
      const transition: SeatTransition = { id, from, to, at: clock.now() };
      from = to;
      for (const listener of this.listeners) listener(transition);
      // A timer (lock expiry) changed the seat outside `apply`: settle it once the step is over.
      if (to === 'available') queueMicrotask(() => this.settle(index, actor));
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
}

function toRecord(id: string, snapshot: Snapshot<unknown>): SeatRecord {
  const { value, context } = snapshot as unknown as Pick<SeatRecord, 'context'> & {
    value: SeatStateValue;
  };
  return { id, state: value, context };
}

/** A seat that is exactly as the machine starts it needs no entry at all. */
function isInitial({ state, context }: SeatRecord): boolean {
  return state === 'available' && !context.lock && !context.booking && !context.expired;
}
