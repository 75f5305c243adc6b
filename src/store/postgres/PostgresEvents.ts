import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { Venue } from '../../venue';
import { DEFAULT_EVENT_ID, type EventRecord } from '../EventRegistry';
import type { EventStores } from '../EventStores';
import { Database } from './Database';
import { DatabaseClock } from './DatabaseClock';
import { EventRowCache } from './EventRowCache';
import { LockQuotaPool } from './LockQuotaPool';
import { PostgresEventRegistry } from './PostgresEventRegistry';
import { PostgresSeatStore } from './PostgresSeatStore';
import { migrate } from './schema';
import { Sweeper } from './Sweeper';
import { TransitionChannel } from './TransitionChannel';

export interface PostgresEventsOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  /** The default event's venue (`SEAT_ROWS` × `SEATS_PER_ROW`), checked against the database's. */
  venue: Venue;
  /** The default event's lock TTL (`LOCK_TTL_MS`), checked likewise. */
  ttlMs: number;
  /**
   * The time every deadline is judged by. By default the database's own clock ({@link
   * DatabaseClock}): instances sharing the database then agree on time whatever their hosts'
   * clocks say. Tests pass a clock they move by hand.
   */
  clock?: Clock;
  /** How often this instance looks for due locks, in ms; 0 turns the sweeper off (tests sweep by hand). */
  sweepIntervalMs?: number;
  /** Most due locks of one event expired in one sweep transaction (default 500). */
  sweepBatch?: number;
  /**
   * Most connections this instance opens for requests (default 10), plus one for LISTEN, plus as
   * many again for the per-user lock cap and for the per-client one once they are used: for
   * every event together.
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
 * A box office's events in one PostgreSQL database: the event registry, and a
 * {@link PostgresSeatStore} per event, all sharing this instance's one request pool, one LISTEN
 * connection (one NOTIFY channel for every event), one sweeper and one pool per lock cap. An
 * event costs its `event` row until its seats are touched; a seat costs a row once it leaves the
 * machine's initial state. Every row is keyed by its event and no transaction spans two events.
 *
 * @example
 * ```ts
 * const events = await PostgresEvents.open({ connectionString, venue: new Venue(10, 10), ttlMs: 60_000 });
 * const hamlet = events.openEvent({ id: 'hamlet', lockTtlMs: 60_000 }, createLayout({ rows: 5, seatsPerRow: 8 }));
 * await hamlet.apply('A1', { type: 'LOCK', userId: 'u1', lockId: 'L1', now: events.clock.now() });
 * await events.close();
 * ```
 */
export class PostgresEvents implements EventStores {
  readonly registry: PostgresEventRegistry;
  /** The time requests to every event's store are stamped with. */
  readonly clock: Clock;
  readonly channel: TransitionChannel;
  /** Each event's row as this process read it last, for judging seat requests (see its class). */
  readonly eventRows: EventRowCache;
  private readonly sweeper: Sweeper;
  /** The per-user lock cap's connections (see {@link LockQuotaPool}). */
  private readonly quotas: LockQuotaPool;
  /** The per-client lock cap's connections, apart for the same reason; opened on first use. */
  private clientDb: Database | undefined;
  private closed = false;

  private constructor(
    readonly options: PostgresEventsOptions,
    /** The request pool of every event. */
    readonly db: Database,
    clock: Clock,
    private readonly logError: (err: unknown) => void,
  ) {
    this.clock = clock;
    this.registry = new PostgresEventRegistry(db);
    this.eventRows = new EventRowCache(db);
    this.channel = new TransitionChannel({
      connectionString: options.connectionString,
      clock,
      logError,
    });
    this.sweeper = new Sweeper({
      db,
      clock,
      channel: this.channel,
      intervalMs: options.sweepIntervalMs ?? 1000,
      batch: options.sweepBatch ?? 500,
      logError,
    });
    this.quotas = new LockQuotaPool({ newDatabase: () => this.newDatabase(), clock });
  }

  /**
   * Connects, creates or migrates the schema (a database from before events, schema version 4 or older, becomes the
   * default event), checks the default venue against the database's (a mismatch rejects with
   * `VenueMismatchError`), starts listening for every instance's transitions, and starts the
   * sweeper.
   */
  static async open(options: PostgresEventsOptions): Promise<PostgresEvents> {
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
    const events = new PostgresEvents(options, db, clock, logError);
    try {
      const { venue, ttlMs } = options;
      await migrate(db.pool, { rows: venue.rows, seatsPerRow: venue.seatsPerRow, ttlMs });
      await events.channel.listen();
    } catch (err) {
      await events.close();
      throw err;
    }
    events.sweeper.start();
    return events;
  }

  /** The default event's seats (the configured venue), closing everything when closed. */
  openDefault(): PostgresSeatStore {
    const { venue, ttlMs } = this.options;
    return new PostgresSeatStore(this, DEFAULT_EVENT_ID, venue, ttlMs, true);
  }

  openEvent(event: Pick<EventRecord, 'id' | 'lockTtlMs'>, layout: Layout): PostgresSeatStore {
    return new PostgresSeatStore(this, event.id, layout, event.lockTtlMs, false);
  }

  /** The pool every event's per-user lock cap uses. */
  get userQuotas(): LockQuotaPool {
    return this.quotas;
  }

  /** The pool every event's per-client lock cap uses, opened on first use. */
  clientQuotaDatabase(): Database {
    return (this.clientDb ??= this.newDatabase());
  }

  /**
   * Expires due locks of every event through the machine, at most `sweepBatch` per event, and
   * returns how many it expired. The sweeper calls it every `sweepIntervalMs`; tests by hand.
   */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }

  /**
   * Opens every pool's connections now (see {@link Database.warm}): the request pool and the
   * per-user cap's, which every lock goes through, and the per-client cap's, if in use.
   */
  async warm(): Promise<void> {
    await Promise.all([
      this.db.warm(HOT_TABLES),
      this.quotas.warm(HOT_TABLES),
      this.clientDb?.warm(HOT_TABLES),
    ]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sweeper.stop();
    await this.channel.close();
    if (this.clock instanceof DatabaseClock) this.clock.stop();
    await Promise.all([this.db.end(), this.quotas.close(), this.clientDb?.end()]);
  }

  private newDatabase(): Database {
    return newDatabase(this.options, this.logError);
  }
}

/** The tables a lock reads and writes: each warmed connection has planned a statement over them. */
const HOT_TABLES = ['seat', 'seat_count', 'user_locks', 'event'];

/** The store's connections: bounded, named, and never crashing the process when they drop. */
function newDatabase(options: PostgresEventsOptions, logError: (err: unknown) => void): Database {
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
