import { createActor, type Actor, type InspectionEvent, type Snapshot } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type {
  SeatEmitted,
  SeatEvent,
  SeatRequestEvent,
  SeatStateValue,
} from '../../../machines/seatTypes';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type {
  ApplyAllResult,
  ApplyResult,
  ListQuery,
  RefusedSeat,
  SeatRequest,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from '../SeatStore';
import { seatChanges, seatReply, type SeatChange } from '../../../machines/run/seatChanges';
import { applySeatEvent, restoreSeat, type SeatSnapshot } from '../../../machines/run/stepSeat';
import { isInitial, toRecord } from '../seatRecord';
import { StateIndex } from './StateIndex';
import { UserSeatIndex } from './UserSeatIndex';
import { MemoryClientLockQuota } from './MemoryClientLockQuota';
import { MemoryHoldStore } from './MemoryHoldStore';
import type { HoldStore } from '../HoldStore';
import type { IdempotencyKeys } from '../../idempotency/IdempotencyKeys';
import { MemoryIdempotencyKeys } from '../../idempotency/MemoryIdempotencyKeys';
import { MemoryLockQuota } from './MemoryLockQuota';
import type { ClientLockQuota } from '../ClientLockQuota';
import type { LockQuota } from '../LockQuota';
import { seatSummary, TransitionFeed } from '../TransitionFeed';

type SeatActor = Actor<typeof seatMachine>;

/**
 * A seat that is not in the machine's initial state: a live actor (only while locked and recently
 * used) or its actor's persisted snapshot, and while it is locked, the timer that will tell it the
 * lock's deadline has come.
 */
interface Entry {
  actor?: SeatActor;
  snapshot?: Snapshot<unknown>;
  /** The deadline this seat's expiry is armed at (its timer is shared: see `deadlines`). */
  expiry?: { until: number };
}

export interface MemorySeatStoreOptions {
  venue: Layout;
  ttlMs: number;
  clock: Clock;
  /** xstate inspection callback (the Stately inspector), given to every seat actor. */
  inspect?: (event: InspectionEvent) => void;
  /**
   * Most locked seats kept as live actors (default 1024): the most recently used, so a seat under
   * a rush of requests or about to be confirmed answers without being activated again. Others
   * are kept as snapshots. Memory stays bounded whatever the number of locks.
   */
  liveActors?: number;
}

/**
 * Seats in this process, as virtual actors (the Orleans idea). A seat in the machine's initial
 * state has no entry and costs nothing. When an event reaches a seat, its actor is activated from
 * the seat's persisted snapshot (or the machine's initial state) and handles it; afterwards the
 * actor is dropped when the seat is back in its initial state, frozen to its persisted snapshot
 * when booked (or available with a lapsed lock to report), and kept live while locked, but only
 * for the {@link MemorySeatStoreOptions.liveActors} most recently used seats: the least recently
 * used is frozen when that bound is passed. So a venue with 100,000 locks holds 100,000 snapshots
 * of a few hundred bytes, not 100,000 actors of ≈ 4 KB that the collector must keep walking.
 *
 * A lock's expiry needs time to pass while no request comes, live actor or not: the store keeps
 * one timer per lock deadline (seats due at the same instant, such as a hold's, share it), that
 * sends each seat the machine's own `EXPIRE{now}` event in one synchronous step. The machine decides what that means (expire a due lock, or re-arm when the
 * timer ran early), exactly as for a snapshot restored from storage. The machine still decides
 * every transition; this class only creates, keeps, freezes or drops actors.
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
  readonly venue: Layout;
  private readonly entries = new Map<number, Entry>();
  /** Which seats are locked and which booked, in seat order: counts and pages without a scan. */
  private readonly states: StateIndex;
  /** Which seats each user holds or booked (`seatsOf`). */
  private readonly users = new UserSeatIndex();
  private readonly feed = new TransitionFeed();
  /** What the actor being sent to emitted; `send` is synchronous so one list is enough. */
  private emitted: SeatEmitted[] = [];
  private readonly record = (event: SeatEmitted) => {
    this.emitted.push(event);
  };
  /** The seats with a live actor, least recently used first (a Map keeps insertion order). */
  private readonly live = new Map<number, Entry>();
  /** The machine's initial state as a snapshot to step (untouched seats share it: steps are pure). */
  private initialSeat: SeatSnapshot | undefined;
  /** The armed lock deadlines: one timer each, and the seats it will tell the time. */
  private readonly deadlines = new Map<number, { timer: unknown; seats: Set<number> }>();
  private readonly liveCapacity: number;
  /** Context of a seat without an entry, shared (never mutated: xstate assigns new objects). */
  private readonly initialContext: SeatRecord['context'];
  /**
   * The machine's initial state as a persisted snapshot: an untouched seat's actor is restored
   * from it, which is a quarter cheaper than computing the initial state for every activation.
   */
  private readonly initialSnapshot: Snapshot<unknown>;

  constructor(private readonly options: MemorySeatStoreOptions) {
    this.venue = options.venue;
    this.states = new StateIndex(options.venue.size);
    const start = createActor(seatMachine, { input: { ttlMs: options.ttlMs }, clock: NO_TIMERS });
    this.initialSnapshot = start.start().getPersistedSnapshot();
    start.stop();
    this.initialContext = toRecord('', this.initialSnapshot).context;
    this.liveCapacity = options.liveActors ?? 1024;
  }

  async apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    return this.deliver(this.indexOf(id), id, event);
  }

  async applyAll(requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    return this.applyAllNow(requests);
  }

  /**
   * {@link applyAll}, synchronously: every seat's machine answers on its current snapshot with a
   * pure step (nothing changes yet); if any refuses, nothing changes and the refusals are
   * returned; otherwise every event is delivered to its seat's actor, and only then are the
   * transitions published, all in one synchronous step no other request or listener can enter.
   * A host that must change something of its own with the seats (the hold store) calls this.
   *
   * @example
   * ```ts
   * store.applyAllNow([{ id: 'A1', event: hold }, { id: 'A2', event: hold }]); // { ok: true, seats }
   * ```
   */
  applyAllNow(requests: readonly SeatRequest[]): ApplyAllResult {
    const indexes = requests.map(({ id }) => this.indexOf(id));
    if (new Set(indexes).size !== indexes.length) {
      throw new RangeError('A multi-seat step names one seat twice');
    }
    const refused: RefusedSeat[] = [];
    requests.forEach(({ id, event }, i) => {
      const [next, reply] = applySeatEvent(this.snapshotAt(indexes[i]), event);
      if (reply?.type !== 'seat.accepted') refused.push({ id, reply, seat: toRecord(id, next) });
    });
    if (refused.length > 0) return { ok: false, refused };
    const steps = requests.map(({ id, event }, i) => this.step(indexes[i], id, event));
    for (const { index, from, seat } of steps) this.move(index, from, seat);
    for (const { seat, changes } of steps) this.announce(seat, changes);
    return { ok: true, seats: steps.map(({ seat }) => seat) };
  }

  async get(id: string): Promise<SeatRecord> {
    return this.recordAt(this.indexOf(id));
  }

  /**
   * One page of seats in venue order, in O(log n + page) whatever the venue's state: a state's
   * seats come from the state index (ordered sets of locked and booked seats, runs of available
   * ones), the whole venue is walked from the cursor (seats without an entry cost one map lookup).
   */
  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const start = after === undefined ? 0 : this.indexOf(after) + 1;
    if (state !== undefined) return this.listIndexed(state, start, limit);
    const seats: SeatRecord[] = [];
    let index = start;
    for (; index < this.venue.size && seats.length < limit; index++) {
      seats.push(this.recordAt(index));
    }
    const next = seats.length === limit && index < this.venue.size ? seats[limit - 1].id : null;
    return { seats, next };
  }

  async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    return this.states.runsWithin(start, end);
  }

  async summary(): Promise<SeatSummary> {
    const locked = this.states.count('locked');
    const booked = this.states.count('booked');
    return seatSummary(this.venue.size, locked, booked);
  }

  /** The seats `userId` holds locked or has booked, in seat order, from an index (no scan). */
  async seatsOf(userId: string): Promise<SeatRecord[]> {
    return this.users.of(userId).map((index) => this.recordAt(index));
  }

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    return this.feed.subscribe(listener);
  }

  /** Never called: every transition of this store happens in this process, none can be missed. */
  subscribeGaps(_listener: () => void): () => void {
    return () => undefined;
  }

  /** None: the seats live in this process only, so the service generates a key per process. */
  async sessionKey(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    for (const [index, entry] of this.entries) {
      entry.actor?.stop();
      this.disarm(index, entry);
    }
    this.entries.clear();
    this.deadlines.clear();
    this.live.clear();
    this.states.clear();
    this.users.clear();
    this.feed.clear();
  }

  /** Memory is always reachable. */
  async ping(): Promise<void> {}

  /**
   * The per-user lock cap for this process's seats: a {@link MemoryLockQuota} fed by this store's
   * transitions (which carry the lock holder).
   *
   * @example
   * ```ts
   * const quota = store.createLockQuota(10);
   * await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent)); // { ok: true, … }
   * ```
   */
  createLockQuota(max: number): LockQuota {
    return new MemoryLockQuota(this, max);
  }

  /**
   * The per-client-address lock cap for this process's seats: a {@link MemoryClientLockQuota}
   * fed by this store's transitions.
   *
   * @example
   * ```ts
   * const quota = store.createClientLockQuota(30);
   * await quota.admit('203.0.113.9', 'A1', () => lockA1()); // { ok: true, … }
   * ```
   */
  createClientLockQuota(max: number): ClientLockQuota {
    return new MemoryClientLockQuota(this, max);
  }

  /**
   * This process's holds over these seats: each hold and its seats change in one synchronous
   * step ({@link applyAllNow}).
   */
  createHolds(): HoldStore {
    return new MemoryHoldStore((requests) => this.applyAllNow(requests), this.options.clock);
  }

  /** `Idempotency-Key`s in this process. */
  createIdempotencyKeys(): IdempotencyKeys {
    return new MemoryIdempotencyKeys();
  }

  /** How many seats have a live actor right now (for tests and benchmarks). */
  liveActorCount(): number {
    return this.live.size;
  }

  /** How many seats are kept as a frozen snapshot, with no actor (for tests and benchmarks). */
  frozenCount(): number {
    return this.entries.size - this.live.size;
  }

  /** How many seats have a lock expiry armed (one per locked seat; seats due together share a timer). */
  expiryTimerCount(): number {
    let armed = 0;
    for (const entry of this.entries.values()) if (entry.expiry) armed++;
    return armed;
  }

  /**
   * Sends `event` to seat `index`'s actor (activated if it has none live), then keeps the seat
   * as the machine left it: no entry, a frozen snapshot or a live actor; and keeps its expiry
   * timer, the state index and the listeners in step with what the machine did.
   */
  private deliver(index: number, id: string, event: SeatEvent): ApplyResult {
    const { from, seat, changes, reply } = this.step(index, id, event);
    this.move(index, from, seat);
    this.announce(seat, changes);
    return { reply, seat };
  }

  /**
   * Sends `event` to seat `index`'s actor and keeps the seat as the machine left it; the state
   * index and the listeners are told by the caller ({@link move}, {@link announce}), so a
   * multi-seat step tells them only once every seat has moved.
   */
  private step(index: number, id: string, event: SeatEvent) {
    const entry = this.entries.get(index);
    const from = entry ? recordOf(id, entry).state : 'available';
    const actor = entry?.actor ?? this.activate(id, entry?.snapshot ?? this.initialSnapshot);
    this.emitted = [];
    actor.send(event);
    const emitted = this.emitted;
    const seat = toRecord(id, actor.getSnapshot());
    this.keep(index, entry, seat, actor);
    return { index, from, seat, changes: seatChanges(emitted), reply: seatReply(emitted) };
  }

  /** Keeps the state index in step with the machine. */
  private move(index: number, from: SeatStateValue, seat: SeatRecord): void {
    if (seat.state !== from) this.states.move(index, from, seat.state);
  }

  /** Tells the listeners what the machine announced. */
  private announce(seat: SeatRecord, changes: SeatChange[]): void {
    for (const change of changes) this.publish({ id: seat.id, ...change });
  }

  /** Seat `index`'s snapshot as its machine has it now (live actor, frozen, or untouched). */
  private snapshotAt(index: number): SeatSnapshot {
    const entry = this.entries.get(index);
    if (entry?.actor) return entry.actor.getSnapshot();
    if (!entry) return (this.initialSeat ??= restoreSeat(this.initialSnapshot));
    return restoreSeat(entry.snapshot!);
  }

  private publish(transition: Omit<SeatTransition, 'at'>): void {
    const full: SeatTransition = { ...transition, at: this.options.clock.now() };
    this.feed.publish(full);
  }

  private activate(id: string, snapshot: Snapshot<unknown>): SeatActor {
    const { ttlMs, inspect } = this.options;
    const actor = createActor(seatMachine, {
      id,
      input: { ttlMs },
      snapshot,
      clock: NO_TIMERS,
      inspect,
    });
    actor.on('*', this.record);
    return actor.start();
  }

  /** Drops, freezes or keeps the seat's actor, and arms or disarms its expiry timer. */
  private keep(index: number, found: Entry | undefined, seat: SeatRecord, actor: SeatActor): void {
    this.users.update(index, seat);
    if (isInitial(seat)) {
      actor.stop();
      if (found) this.disarm(index, found);
      this.entries.delete(index);
      this.live.delete(index);
      return;
    }
    const entry = found ?? {};
    if (!found) this.entries.set(index, entry);
    this.live.delete(index);
    // The machine keeps a lock in context only while the seat is locked: arm at its deadline.
    const until = seat.context.lock?.until;
    if (entry.expiry && entry.expiry.until !== until) this.disarm(index, entry);
    if (until === undefined) {
      this.freeze(entry, actor);
      return;
    }
    if (!entry.expiry) entry.expiry = this.arm(index, until);
    entry.actor = actor;
    entry.snapshot = undefined;
    this.live.set(index, entry); // now the most recently used
    if (this.live.size > this.liveCapacity) {
      const [oldest, evicted] = this.live.entries().next().value!;
      this.live.delete(oldest);
      this.freeze(evicted, evicted.actor!);
    }
  }

  private freeze(entry: Entry, actor: SeatActor): void {
    entry.snapshot = actor.getPersistedSnapshot();
    entry.actor = undefined;
    actor.stop();
  }

  /**
   * Arms seat `index`'s expiry at `until`. Seats due at the same instant share one timer, which
   * tells each of them the time in one synchronous step: the seats of a multi-seat hold (one
   * deadline) become available together, never some before others.
   */
  private arm(index: number, until: number): Entry['expiry'] {
    let due = this.deadlines.get(until);
    if (!due) {
      const { clock } = this.options;
      const timer = clock.setTimeout(() => this.fire(until), Math.max(0, until - clock.now()));
      due = { timer, seats: new Set() };
      this.deadlines.set(until, due);
    }
    due.seats.add(index);
    return { until };
  }

  /** The timer of `until` fired: the machine of every seat still armed at it is told the time. */
  private fire(until: number): void {
    const due = this.deadlines.get(until);
    if (!due) return;
    this.deadlines.delete(until);
    const now = this.options.clock.now();
    const steps = [];
    for (const index of due.seats) {
      const entry = this.entries.get(index);
      if (entry?.expiry?.until !== until) continue; // moved on meanwhile
      entry.expiry = undefined;
      steps.push(this.step(index, this.venue.idAt(index), { type: 'EXPIRE', now }));
    }
    for (const { index, from, seat } of steps) this.move(index, from, seat);
    for (const { seat, changes } of steps) this.announce(seat, changes);
  }

  private disarm(index: number, entry: Entry): void {
    if (!entry.expiry) return;
    const { until } = entry.expiry;
    entry.expiry = undefined;
    const due = this.deadlines.get(until);
    if (!due) return;
    due.seats.delete(index);
    if (due.seats.size === 0) {
      this.options.clock.clearTimeout(due.timer);
      this.deadlines.delete(until);
    }
  }

  /** A page of the seats in one state: O(log n + limit), and `next` is exact. */
  private listIndexed(state: SeatStateValue, start: number, limit: number): SeatPage {
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
    if (entry === undefined) return { id, state: 'available', context: this.initialContext };
    return recordOf(id, entry);
  }
}

/**
 * The clock of the seats' actors. A lock must expire whether its seat has a live actor or only a
 * snapshot, so the store arms the one timer at the lock's deadline and sends `EXPIRE` when it
 * fires; the delayed transition an actor would arm on entering `locked` would only duplicate it
 * (and cost a real timer per lock, armed and cancelled again when the actor is frozen).
 */
const NO_TIMERS: Clock = {
  now: () => Date.now(),
  setTimeout: () => undefined,
  clearTimeout: () => {},
};

/** The seat an entry holds, from its live actor or its frozen snapshot. */
function recordOf(id: string, entry: Entry): SeatRecord {
  return toRecord(id, entry.actor ? entry.actor.getSnapshot() : entry.snapshot!);
}
