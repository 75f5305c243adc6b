import { randomBytes } from 'node:crypto';
import { initialTransition } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type { SeatRequestEvent } from '../../../machines/seatTypes';
import type { Clock } from '../../clock';
import type { Venue } from '../../venue';
import type { ClientLockQuota } from '../ClientLockQuota';
import type { LockQuota } from '../LockQuota';
import { PostgresClientLockQuota } from './PostgresClientLockQuota';
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
import { CompareAndSetApply } from './CompareAndSetApply';
import { MultiSeatApply } from './MultiSeatApply';
import { LockQuotaPool } from './LockQuotaPool';
import { migrate } from './schema';
import { SeatReader } from './SeatReader';
import { sql } from './sql';
import { Sweeper } from './Sweeper';
import { TransitionChannel } from './TransitionChannel';
import { Database } from './Database';
import { DatabaseClock } from './DatabaseClock';

export interface PostgresSeatStoreOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  venue: Venue;
  ttlMs: number;
  /**
   * The time every deadline is judged by. By default the database's own clock ({@link
   * DatabaseClock}): instances sharing the database then agree on time whatever their hosts'
   * clocks say. Tests pass a clock they move by hand.
   */
  clock?: Clock;
  /** How often this instance looks for due locks, in ms; 0 turns the sweeper off (tests sweep by hand). */
  sweepIntervalMs?: number;
  /** Most due locks expired in one sweep transaction (default 500). */
  sweepBatch?: number;
  /**
   * Most connections this instance opens for requests (default 10), plus one for LISTEN, plus as
   * many again for the per-user lock cap once {@link PostgresSeatStore.createLockQuota} is used.
   */
  poolSize?: number;
  /** Where background errors (sweeper, LISTEN connection) are reported (default `console.error`). */
  logError?: (err: unknown) => void;
  /** Bound on each statement, in ms (default 5000); see {@link Database}. */
  statementTimeoutMs?: number;
  /** Bound on getting a connection, in ms (default 2000). */
  connectTimeoutMs?: number;
  /** Most requests waiting for a connection before more are refused with a 503 (default 100). */
  queueLimit?: number;
}

/**
 * Seats in PostgreSQL, shared by any number of service instances. This class only wires the jobs
 * together, each in a file of its own:
 * - {@link CompareAndSetApply}: requests, through the machine, written back by compare-and-set;
 * - {@link MultiSeatApply}: several seats stepped in one transaction, all or nothing;
 * - {@link SeatReader}: one seat, pages, the summary;
 * - {@link Sweeper}: expires due locks without their instance;
 * - {@link TransitionChannel}: NOTIFY payloads and the LISTEN connection (with reconnect);
 * - {@link LockQuotaPool}: the per-user lock cap's own connections;
 * - `sql.ts`: every statement, by name; `schema.ts`: the migrations.
 *
 * A seat still in the machine's initial state has no row (a virtual seat, as in the memory store),
 * so opening a venue of a million seats writes one row. Locks expire without their instance: every
 * request first tells the machine the time, and each instance's sweeper expires due locks.
 * Transitions are published with `NOTIFY` inside the writing statement, so subscribers of every
 * instance see exactly the committed ones. Reads show every committed change; a lock whose
 * deadline passed reads as the machine says (expired) even before a sweep writes it down.
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
 * ```
 */
export class PostgresSeatStore implements SeatStore {
  readonly venue: Venue;
  private readonly db: Database;
  /** The time source requests to this store are stamped with (see {@link PostgresSeatStoreOptions.clock}). */
  readonly clock: Clock;
  private readonly channel: TransitionChannel;
  private readonly reader: SeatReader;
  private readonly cas: CompareAndSetApply;
  private readonly many: MultiSeatApply;
  private readonly sweeper: Sweeper;
  private readonly quotas: LockQuotaPool;
  private closed = false;

  private constructor(
    private readonly settings: PostgresSeatStoreOptions,
    db: Database,
    clock: Clock,
    private readonly logError: (err: unknown) => void,
  ) {
    const options = settings;
    const { venue, connectionString } = options;
    this.venue = venue;
    this.db = db;
    this.clock = clock;
    const initial = initialTransition(seatMachine, { ttlMs: options.ttlMs })[0];
    this.channel = new TransitionChannel({ connectionString, venue, clock, logError });
    this.reader = new SeatReader({ db, venue, initial, clock });
    this.cas = new CompareAndSetApply({
      db,
      venue,
      initial,
      reader: this.reader,
      channel: this.channel,
    });
    this.many = new MultiSeatApply({ db, venue, initial, channel: this.channel });
    this.sweeper = new Sweeper({
      db,
      clock,
      channel: this.channel,
      intervalMs: options.sweepIntervalMs ?? 1000,
      batch: options.sweepBatch ?? 500,
      logError,
    });
    this.quotas = new LockQuotaPool({
      newDatabase: () => newDatabase(options, logError),
      venue,
      clock,
    });
  }

  /**
   * Connects, creates or migrates the schema, checks the venue against the database's (a
   * mismatch rejects with `VenueMismatchError`), starts listening for other instances'
   * transitions, and starts the sweeper.
   */
  static async open(options: PostgresSeatStoreOptions): Promise<PostgresSeatStore> {
    const logError =
      options.logError ?? ((err) => console.error(`Seat store: ${describeError(err)}`));
    const db = newDatabase(options, logError);
    let clock: Clock;
    try {
      clock = options.clock ?? (await DatabaseClock.start({ db, logError }));
    } catch (err) {
      await db.end();
      throw err;
    }
    const store = new PostgresSeatStore(options, db, clock, logError);
    try {
      const { venue, ttlMs } = options;
      await migrate(db.pool, { rows: venue.rows, seatsPerRow: venue.seatsPerRow, ttlMs });
      await store.channel.listen();
    } catch (err) {
      await store.close();
      throw err;
    }
    store.sweeper.start();
    return store;
  }

  apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    return this.cas.apply(id, event);
  }

  applyAll(requests: readonly SeatRequest[]): Promise<ApplyAllResult> {
    return this.many.apply(requests);
  }

  get(id: string): Promise<SeatRecord> {
    return this.reader.get(id);
  }

  list(query: ListQuery): Promise<SeatPage> {
    return this.reader.list(query);
  }

  summary(): Promise<SeatSummary> {
    return this.reader.summary();
  }

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    return this.channel.subscribe(listener);
  }

  subscribeGaps(listener: () => void): () => void {
    return this.channel.subscribeGaps(listener);
  }

  /** `SELECT 1` on the request pool: rejects while the database cannot be reached. */
  async ping(): Promise<void> {
    await this.db.query(sql.ping, [], 'read');
  }

  /**
   * The per-user lock cap over this database, so it holds across every instance (see
   * `PostgresLockQuota`), on connections of its own (see {@link LockQuotaPool}); the store closes
   * them with its own. `createApp` calls this itself.
   *
   * @example
   * ```ts
   * const quota = store.createLockQuota(10);
   * await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent)); // { ok: true, … }
   * ```
   */
  createLockQuota(max: number): LockQuota {
    return this.quotas.create(max);
  }

  /**
   * The per-client-address lock cap over this database (see {@link PostgresClientLockQuota}),
   * with a pool of its own for the same reason as {@link createLockQuota}'s; the quota closes it.
   */
  createClientLockQuota(max: number): ClientLockQuota {
    const { venue } = this;
    return new PostgresClientLockQuota({
      pool: newDatabase(this.settings, this.logError).pool,
      venue,
      max,
      clock: this.clock,
    });
  }

  /**
   * The guest session signing key every instance on this database shares: generated by the first
   * instance that asks, kept in `service_key`, read by every later one.
   */
  async sessionKey(): Promise<string> {
    // Two instances starting at once: the one whose insert lost sees no row in its statement's
    // snapshot, and finds the winner's once it has committed, on the next try.
    for (;;) {
      const { rows } = await this.db.query<{ secret: string }>(
        sql.keepServiceKey,
        ['session', randomBytes(32).toString('base64url')],
        'write',
      );
      if (rows.length > 0) return rows[0].secret;
    }
  }

  /**
   * Expires due locks through the machine, at most `sweepBatch` of them, and returns how many it
   * expired. The sweeper calls it every `sweepIntervalMs`; tests call it by hand.
   *
   * @example
   * ```ts
   * await store.sweep(); // 3
   * ```
   */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sweeper.stop();
    await this.channel.close();
    if (this.clock instanceof DatabaseClock) this.clock.stop();
    await Promise.all([this.db.end(), this.quotas.close()]);
  }
}

/** The store's connections: bounded, named, and never crashing the process when they drop. */
function newDatabase(
  options: PostgresSeatStoreOptions,
  logError: (err: unknown) => void,
): Database {
  return new Database({
    connectionString: options.connectionString,
    poolSize: options.poolSize,
    statementTimeoutMs: options.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    queueLimit: options.queueLimit,
    logError,
  });
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
