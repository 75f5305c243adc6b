import {
  createActor,
  initialTransition,
  type Actor,
  type InspectionEvent,
  type Snapshot,
} from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type {
  SeatContext,
  SeatEmitted,
  SeatEvent,
  SeatReply,
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
import {
  applySeatEvent,
  persistSeat,
  restoreSeat,
  type SeatSnapshot,
} from '../../../machines/run/stepSeat';
import { isInitial, ownerOf } from '../seatRecord';
import { DeadlineQueue } from './DeadlineQueue';
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

/**
 * A seat that is not in the machine's initial state, exactly as the machine left it: its state
 * value and its context (all a persisted snapshot of the seat holds; the machine's own objects,
 * kept as they are). Nothing else is kept per seat: its expiry is a pair in {@link DeadlineQueue}.
 */
interface Cell {
  value: SeatStateValue;
  context: SeatContext;
}

/** What one event did to one seat, before the store keeps it ({@link MemorySeatStore.commit}). */
interface Step {
  index: number;
  before: Cell | undefined;
  /** The seat as the machine left it (`undefined`: back in the machine's initial state). */
  after: Cell | undefined;
  seat: SeatRecord;
  changes: SeatChange[];
  reply: SeatReply | undefined;
}

export interface MemorySeatStoreOptions {
  venue: Layout;
  ttlMs: number;
  clock: Clock;
  /**
   * xstate inspection callback (the Stately inspector). When given, every event a seat is sent
   * runs through a live actor of the seat machine, started from the seat's snapshot and kept while
   * the seat is locked, so the inspector sees each seat's actor from lock to booking, release or
   * expiry; without it, seats are stepped with the machine's pure transition and no actor exists.
   */
  inspect?: (event: InspectionEvent) => void;
}

/**
 * Seats in this process, as virtual actors (the Orleans idea): the seat machine is each seat's
 * logic, and a seat's state is the machine's snapshot, kept here between events. A seat in the
 * machine's initial state has no entry and costs nothing (a 1,000,000-seat venue costs nothing
 * until touched); any other seat keeps only its state value and context. An event is handed to
 * the machine with its pure transition (`machines/run/stepSeat`, as the PostgreSQL store does):
 * the machine decides the next state, the reply and the moves it announces; the store keeps the
 * result, and drops the entry when the seat is back in its initial state. With an inspector
 * (`inspect`), the same event goes through a live actor instead (started from the snapshot, kept
 * while the seat is locked). `test/store/memory/virtualActors.test.ts` checks both against one
 * eager actor per seat, reply by reply and snapshot by snapshot.
 *
 * A lock's expiry needs time to pass while no request comes: every locked seat's deadline is a
 * pair in one {@link DeadlineQueue} (one timer for all of them, no object per lock). When a
 * deadline comes, the store sends each seat still armed at it the machine's own `EXPIRE{now}`
 * event, all seats due together in one synchronous step; the machine decides what that means,
 * exactly as for a snapshot restored from storage. This class never decides a transition.
 *
 * Requests are handled synchronously inside `apply`, so no two requests ever interleave on one
 * seat.
 *
 * @example
 * ```ts
 * const store = new MemorySeatStore({ venue: new Venue(10, 10), ttlMs: 60_000, clock: systemClock });
 * const { reply } = await store.apply('A1', { type: 'LOCK', userId: 'u1', lockId: 'L1', now: Date.now() });
 * ```
 */
export class MemorySeatStore implements SeatStore {
  readonly venue: Layout;
  private readonly entries = new Map<number, Cell>();
  /** Which seats are locked and which booked, in seat order: counts and pages without a scan. */
  private readonly states: StateIndex;
  /** Which seats each user holds or booked (`seatsOf`). */
  private readonly users = new UserSeatIndex();
  private readonly feed = new TransitionFeed();
  /** Every locked seat's deadline, on one timer. */
  private readonly deadlines: DeadlineQueue;
  /** With an inspector: the locked seats' live actors, least recently used first. */
  private readonly live = new Map<number, Actor<typeof seatMachine>>();
  /** What the live actor being sent to emitted (`send` is synchronous: one list is enough). */
  private emitted: SeatEmitted[] = [];
  /** The machine's initial state, stepped by every untouched seat (steps are pure: it is shared). */
  private readonly initialSeat: SeatSnapshot;
  /** Context of a seat without an entry, shared (never mutated: xstate assigns new objects). */
  private readonly initialContext: SeatContext;

  constructor(private readonly options: MemorySeatStoreOptions) {
    this.venue = options.venue;
    this.states = new StateIndex(options.venue.size);
    this.deadlines = new DeadlineQueue(options.clock, (due) => this.expire(due));
    [this.initialSeat] = initialTransition(seatMachine, { ttlMs: options.ttlMs });
    this.initialContext = this.initialSeat.context;
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
    let steps = requests.map(({ id, event }, i) => this.stepPurely(indexes[i], id, event));
    const refused: RefusedSeat[] = [];
    for (const { seat, reply } of steps) {
      if (reply?.type !== 'seat.accepted') refused.push({ id: seat.id, reply, seat });
    }
    if (refused.length > 0) return { ok: false, refused };
    // With an inspector, the seats' actors take the events the pure steps have just approved.
    if (this.options.inspect)
      steps = requests.map(({ id, event }, i) => this.step(indexes[i], id, event));
    this.commitAll(steps);
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
    for (const actor of this.live.values()) actor.stop();
    this.live.clear();
    this.entries.clear();
    this.deadlines.clear();
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

  /** How many seats are not in the machine's initial state and so have an entry (tests, benchmarks). */
  keptCount(): number {
    return this.entries.size;
  }

  /** How many seats have a lock expiry pending: one per locked seat (for tests and benchmarks). */
  expiryCount(): number {
    const armed = new Set<number>();
    for (const [until, index] of this.deadlines.entries()) {
      if (this.isArmed(until, index)) armed.add(index);
    }
    return armed.size;
  }

  /**
   * Sends `event` to seat `index` and keeps the seat as the machine left it, with its expiry, the
   * state index and the listeners in step with what the machine did.
   */
  private deliver(index: number, id: string, event: SeatEvent): ApplyResult {
    const step = this.step(index, id, event);
    this.commitAll([step]);
    return { reply: step.reply, seat: step.seat };
  }

  /**
   * What `event` does to seat `index`, as its machine decides: through a live actor when an
   * inspector watches, else with the machine's pure transition. Changes nothing yet.
   */
  private step(index: number, id: string, event: SeatEvent): Step {
    return this.options.inspect
      ? this.stepActor(index, id, event, this.options.inspect)
      : this.stepPurely(index, id, event);
  }

  /** {@link step} with the machine's pure transition: no actor, no timer. */
  private stepPurely(index: number, id: string, event: SeatEvent): Step {
    const before = this.entries.get(index);
    const [next, reply, changes] = applySeatEvent(
      before ? restoreSeat(before) : this.initialSeat,
      event,
    );
    return this.stepped(index, id, before, next, changes, reply);
  }

  /**
   * {@link step} through a live actor of the seat machine: what the inspector is shown. A seat's
   * actor is started from its snapshot when an event reaches it, and lives on while the seat is
   * locked (for at most {@link INSPECTED_LIVE_ACTORS} seats, the most recently used: an older one
   * is stopped, and started again from its snapshot when it is next sent an event), so the
   * inspector shows one actor from lock to booking, release or expiry. Its delayed expiry is never
   * armed (`NO_TIMERS`): the store's deadline queue sends it `EXPIRE`, live actor or not.
   */
  private stepActor(
    index: number,
    id: string,
    event: SeatEvent,
    inspect: (event: InspectionEvent) => void,
  ): Step {
    const before = this.entries.get(index);
    let actor = this.live.get(index);
    this.live.delete(index);
    if (!actor) {
      const snapshot = before ? persistSeat(restoreSeat(before)) : undefined;
      actor = createActor(seatMachine, {
        id,
        input: { ttlMs: this.options.ttlMs },
        snapshot: snapshot as Snapshot<unknown> | undefined,
        clock: NO_TIMERS,
        inspect,
      });
      actor.on('*', (emitted) => this.emitted.push(emitted));
      actor.start();
    }
    this.emitted = [];
    actor.send(event);
    const emitted = this.emitted;
    const next = actor.getSnapshot();
    if (next.value !== 'locked') actor.stop();
    else {
      this.live.set(index, actor); // now the most recently used
      if (this.live.size > INSPECTED_LIVE_ACTORS) {
        const [oldest, evicted] = this.live.entries().next().value!;
        this.live.delete(oldest);
        evicted.stop();
      }
    }
    return this.stepped(index, id, before, next, seatChanges(emitted), seatReply(emitted));
  }

  private stepped(
    index: number,
    id: string,
    before: Cell | undefined,
    next: SeatSnapshot,
    changes: SeatChange[],
    reply: SeatReply | undefined,
  ): Step {
    const seat: SeatRecord = { id, state: next.value, context: next.context };
    // A refusal leaves the machine's very context object: keep the cell as it was.
    const after = isInitial(seat)
      ? undefined
      : before?.value === next.value && before.context === next.context
        ? before
        : { value: next.value, context: next.context };
    return { index, before, after, seat, changes, reply };
  }

  /**
   * Keeps every step's seat as the machine left it (its entry, owner and expiry), then moves the
   * state index, then tells the listeners: a multi-seat step tells them only once every seat has
   * moved.
   */
  private commitAll(steps: readonly Step[]): void {
    for (const step of steps) this.commit(step);
    for (const { index, before, seat } of steps) {
      const from = before?.value ?? 'available';
      if (seat.state !== from) this.states.move(index, from, seat.state);
    }
    for (const { seat, changes } of steps) {
      for (const change of changes) {
        this.feed.publish({ id: seat.id, ...change, at: this.options.clock.now() });
      }
    }
  }

  /** Keeps one seat as the machine left it: its entry, its owner, and its expiry when locked. */
  private commit({ index, before, after }: Step): void {
    if (after === before) return;
    if (after) this.entries.set(index, after);
    else this.entries.delete(index);
    this.users.move(index, ownerOfCell(before), ownerOfCell(after));
    // The machine keeps a lock in context only while the seat is locked: its deadline is armed.
    const until = after?.context.lock?.until;
    if (until !== undefined && until !== before?.context.lock?.until) this.arm(until, index);
  }

  private arm(until: number, index: number): void {
    this.deadlines.add(until, index);
    // Released and re-locked seats leave stale pairs behind: drop them once they outnumber the rest.
    if (this.deadlines.size > 2 * this.states.count('locked') + 1024) {
      this.deadlines.compact((at, seat) => this.isArmed(at, seat));
    }
  }

  /** Whether seat `index` is locked until `until`: its deadline pair is not stale. */
  private isArmed(until: number, index: number): boolean {
    return this.entries.get(index)?.context.lock?.until === until;
  }

  /**
   * Deadlines came: every seat still armed at one is told the time (`EXPIRE{now}`), all in one
   * synchronous step. A seat the machine keeps locked is armed again at its lock's deadline.
   */
  private expire(due: ReadonlyArray<[until: number, index: number]>): void {
    const now = this.options.clock.now();
    const steps: Step[] = [];
    const told = new Set<number>();
    for (const [until, index] of due) {
      if (!this.isArmed(until, index) || told.has(index)) continue; // moved on meanwhile
      told.add(index);
      steps.push(this.step(index, this.venue.idAt(index), { type: 'EXPIRE', now }));
    }
    this.commitAll(steps);
    // Its pair was taken off the queue: a seat the machine left as it was must be armed again
    // (a seat whose lock changed was armed at its new deadline by `commit`).
    for (const { index, before, after } of steps) {
      const until = after?.context.lock?.until;
      if (after === before && until !== undefined) this.arm(until, index);
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
    const cell = this.entries.get(index);
    const id = this.venue.idAt(index);
    if (cell === undefined) return { id, state: 'available', context: this.initialContext };
    return { id, state: cell.value, context: cell.context };
  }
}

/** Most live actors an inspected store keeps (the most recently used locked seats). */
const INSPECTED_LIVE_ACTORS = 1024;

/**
 * The clock of an inspected seat's actor. A lock must expire whether or not an actor is live, so
 * the store's deadline queue sends `EXPIRE` when the lock's deadline comes; the delayed transition
 * the actor would arm on entering `locked` would only duplicate it (and cost a real timer per
 * lock, armed and cancelled again when the actor stops).
 */
const NO_TIMERS: Clock = {
  now: () => Date.now(),
  setTimeout: () => undefined,
  clearTimeout: () => {},
};

/** Whose the seat is (its lock's or booking's user), as the machine left it. */
function ownerOfCell(cell: Cell | undefined): string | undefined {
  return cell && ownerOf({ id: '', state: cell.value, context: cell.context });
}
