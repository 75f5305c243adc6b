import { randomBytes } from 'node:crypto';
import { initialTransition } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type { SalesRequestType } from '../../../machines/eventTypes';
import type { SeatRequestEvent } from '../../../machines/seatTypes';
import type { SeatSnapshot } from '../../../machines/run/stepSeat';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { SalesGate, SalesRefusal } from '../../SeatService';
import type { ClientLockQuota } from '../ClientLockQuota';
import type { LockQuota } from '../LockQuota';
import type {
  ApplyAllResult,
  ApplyResult,
  SeatRequest,
  ListQuery,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from '../SeatStore';
import { TransitionFeed } from '../TransitionFeed';
import { CompareAndSetApply } from './CompareAndSetApply';
import { MultiSeatApply } from './MultiSeatApply';
import { PostgresClientLockQuota } from './PostgresClientLockQuota';
import { PostgresEvents, type PostgresEventsOptions } from './PostgresEvents';
import { PostgresHoldStore } from './PostgresHoldStore';
import type { HoldStore } from '../HoldStore';
import type { IdempotencyKeys } from '../../idempotency/IdempotencyKeys';
import { PostgresIdempotencyKeys } from '../../idempotency/PostgresIdempotencyKeys';
import { RowCache, type SeatRowCache } from './RowCache';
import { SeatReader } from './SeatReader';
import { sql } from './sql';

/** Seat rows one process keeps in mind per event; the least recently seen are forgotten. */
const CACHED_SEATS = 4096;

/** Opening the default event's store: the options of the database's events (see {@link PostgresEvents}). */
export type PostgresSeatStoreOptions = PostgresEventsOptions;

/**
 * One event's seats in PostgreSQL, shared by any number of service instances. This class only
 * wires the jobs together for its event, each in a file of its own; what every event shares
 * (connections, LISTEN, sweeper) is {@link PostgresEvents}'s:
 * - {@link CompareAndSetApply}: requests, through the machine, written back by compare-and-set;
 * - {@link MultiSeatApply}: several seats stepped in one transaction, all or nothing;
 * - {@link SeatReader}: one seat, pages, the summary;
 * - `Sweeper`: expires due locks without their instance;
 * - `TransitionChannel`: NOTIFY payloads and the LISTEN connection (with reconnect);
 * - `PostgresLockQuota`, {@link PostgresClientLockQuota}: the lock caps, per event;
 * - `sql.ts`: every statement, by name; `schema.ts`: the migrations.
 *
 * Every row it reads or writes is keyed by its event id. A seat still in the machine's initial
 * state has no row (a virtual seat, as in the memory store), so opening an event of a million
 * seats writes nothing. Locks expire without their instance: every request first tells the machine
 * the time, and each instance's sweeper expires due locks. Transitions are published with `NOTIFY`
 * inside the writing statement, so subscribers of every instance see exactly the committed ones.
 * Reads show every committed change; a lock whose deadline passed reads as the machine says
 * (expired) even before a sweep writes it down.
 *
 * @example
 * ```ts
 * const store = await PostgresSeatStore.open({
 *   connectionString: 'postgres://127.0.0.1:5432/seats',
 *   venue: new Venue(10, 10),
 *   ttlMs: 60_000,
 *   clock: systemClock,
 *   sweepIntervalMs: 1000,
 * });
 * await store.apply('A1', { type: 'LOCK', userId: 'u1', lockId: 'L1', now: Date.now() });
 * const hamlet = store.events.openEvent({ id: 'hamlet', lockTtlMs: 60_000 }, layout);
 * ```
 */
export class PostgresSeatStore implements SeatStore {
  /** The time requests to this store are stamped with (see {@link PostgresEventsOptions.clock}). */
  readonly clock: Clock;
  private readonly reader: SeatReader;
  private readonly cas: CompareAndSetApply;
  private readonly many: MultiSeatApply;
  private readonly feed = new TransitionFeed();
  /** The seat as the machine starts it: what a seat without a row is. */
  private readonly initial: SeatSnapshot;
  /** The seat rows this process read or wrote last, each a guess checked by its version. */
  private readonly rows: SeatRowCache = new RowCache(CACHED_SEATS);
  private readonly unlisten: () => void;
  private closed = false;

  /** Made by {@link PostgresEvents} (`openDefault`, `openEvent`); {@link open} for the default event. */
  constructor(
    /** Every event of the database, this one's included. */
    readonly events: PostgresEvents,
    /** The event whose seats these are: the key of every row this store touches. */
    readonly eventId: string,
    readonly venue: Layout,
    ttlMs: number,
    /** Whether closing this store closes every event's (the default event's store owns them). */
    private readonly owner: boolean,
  ) {
    const { db, channel } = events;
    this.clock = events.clock;
    const initial = initialTransition(seatMachine, { ttlMs })[0];
    this.initial = initial;
    const layout = venue;
    this.reader = new SeatReader({ db, eventId, layout, initial, clock: this.clock });
    this.cas = new CompareAndSetApply({
      db,
      eventId,
      layout,
      initial,
      reader: this.reader,
      channel,
      rows: this.rows,
      clock: this.clock,
    });
    this.many = new MultiSeatApply({ db, eventId, layout, initial, channel });
    this.unlisten = channel.subscribe(eventId, ({ idx, ...heard }) =>
      this.feed.publish({ id: layout.idAt(idx), ...heard }),
    );
  }

  /**
   * Opens the database's events ({@link PostgresEvents.open}: connects, migrates, checks the
   * default venue, listens, sweeps) and returns the default event's store, which closes them all.
   */
  static async open(options: PostgresSeatStoreOptions): Promise<PostgresSeatStore> {
    return (await PostgresEvents.open(options)).openDefault();
  }

  apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    return this.cas.apply(id, event);
  }

  /**
   * The sales window judged on the event's row as this process read it last, and the request
   * written only while that row's version still holds (see {@link CompareAndSetApply.applyOnSale}):
   * one round trip when this process also saw the seat's row last (a confirm after its lock), two
   * otherwise, against three for the sales read and then {@link apply}. A refusal, or a version
   * that moved on, is answered on the event's row read now, then {@link apply}.
   */
  async applyAfterSales(
    id: string,
    event: SeatRequestEvent,
    request: SalesRequestType,
    sales: SalesGate,
  ): Promise<ApplyResult | { sales: SalesRefusal }> {
    const { eventRows } = this.events;
    const judge = sales.judge!;
    const eventId = sales.eventId ?? this.eventId;
    await sales.ready?.();
    const seen = await eventRows.get(eventId);
    if (seen && !judge(seen, request, event.now)) {
      const result = await this.cas.applyOnSale(id, event, seen);
      if (result) return result;
    }
    const refusal = judge(await eventRows.read(eventId), request, event.now);
    return refusal ? { sales: refusal } : this.cas.apply(id, event);
  }

  applyAll(requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    return this.many.apply(requests);
  }

  /** Opens the store's connections before the first request needs them (see {@link PostgresEvents.warm}). */
  warm(): Promise<void> {
    return this.events.warm();
  }

  get(id: string): Promise<SeatRecord> {
    return this.reader.get(id);
  }

  list(query: ListQuery): Promise<SeatPage> {
    return this.reader.list(query);
  }

  availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    return this.reader.availableRuns(start, end);
  }

  summary(): Promise<SeatSummary> {
    return this.reader.summary();
  }

  seatsOf(userId: string): Promise<SeatRecord[]> {
    return this.reader.seatsOf(userId);
  }

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    return this.feed.subscribe(listener);
  }

  subscribeGaps(listener: () => void): () => void {
    return this.events.channel.subscribeGaps(listener);
  }

  /** `SELECT 1` on the request pool: rejects while the database cannot be reached. */
  async ping(): Promise<void> {
    await this.events.db.query(sql.ping, [], 'read');
  }

  /**
   * The per-user lock cap of this event over this database, so it holds across every instance
   * (see `PostgresLockQuota`), on connections of its own shared by every event's cap (see
   * `LockQuotaPool`). `createApp` calls this itself.
   *
   * @example
   * ```ts
   * const quota = store.createLockQuota(10);
   * await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent)); // { ok: true, … }
   * ```
   */
  createLockQuota(max: number): LockQuota {
    const { channel, eventRows: events } = this.events;
    const seats = { initial: this.initial, channel, rows: this.rows, events };
    return this.events.userQuotas.create(max, this.eventId, this.venue, seats);
  }

  /**
   * The per-client-address lock cap of this event over this database (see
   * {@link PostgresClientLockQuota}), on connections apart for the same reason as
   * {@link createLockQuota}'s.
   */
  createClientLockQuota(max: number): ClientLockQuota {
    return new PostgresClientLockQuota({
      db: this.events.clientQuotaDatabase(),
      eventId: this.eventId,
      layout: this.venue,
      max,
      clock: this.clock,
    });
  }

  /** Holds in this database, shared by every instance (see {@link PostgresHoldStore}). */
  createHolds(): HoldStore {
    return new PostgresHoldStore({ db: this.events.db, eventId: this.eventId, seats: this.many });
  }

  /**
   * `Idempotency-Key`s in this database, shared by every instance (see `PostgresIdempotencyKeys`);
   * its table is made on first use.
   */
  createIdempotencyKeys(): IdempotencyKeys {
    const { pool } = this.events.db;
    let opened: Promise<PostgresIdempotencyKeys> | undefined;
    const keys = () => {
      opened ??= PostgresIdempotencyKeys.open(pool).catch((err: unknown) => {
        opened = undefined; // the database was away: try again on the next request
        throw err;
      });
      return opened;
    };
    return {
      begin: async (ref, fingerprint, now) => (await keys()).begin(ref, fingerprint, now),
      finish: async (ref, answer, now) => (await keys()).finish(ref, answer, now),
      abandon: async (ref, now) => (await keys()).abandon(ref, now),
      close: async () => undefined,
    };
  }

  /**
   * The guest session signing key every instance on this database shares: generated by the first
   * instance that asks, kept in `service_key`, read by every later one.
   */
  async sessionKey(): Promise<string> {
    // Two instances starting at once: the one whose insert lost sees no row in its statement's
    // snapshot, and finds the winner's once it has committed, on the next try.
    for (;;) {
      const { rows } = await this.events.db.query<{ secret: string }>(
        sql.keepServiceKey,
        ['session', randomBytes(32).toString('base64url')],
        'write',
      );
      if (rows.length > 0) return rows[0].secret;
    }
  }

  /**
   * Expires due locks of every event through the machine (see {@link PostgresEvents.sweep}) and
   * returns how many it expired. The sweeper calls it every `sweepIntervalMs`; tests call it by hand.
   *
   * @example
   * ```ts
   * await store.sweep(); // 3
   * ```
   */
  sweep(): Promise<number> {
    return this.events.sweep();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.feed.clear();
    if (this.owner) await this.events.close();
  }
}
