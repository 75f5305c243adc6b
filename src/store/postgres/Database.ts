import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { StoreUnavailableError } from '../StoreUnavailableError';

/** The name every connection of the service carries (`pg_stat_activity.application_name`). */
export const APPLICATION_NAME = 'seat-booking-service';

export interface DatabaseOptions {
  connectionString: string;
  /** Most connections (default 10). */
  poolSize?: number;
  /**
   * Bound on each statement, in ms (default 5000): PostgreSQL's `statement_timeout`, and the same
   * bound on waiting for the answer here, so a slow network cannot hold a request either.
   */
  statementTimeoutMs?: number;
  /** Bound on getting a connection (waiting for a free one, or opening one), in ms (default 2000). */
  connectTimeoutMs?: number;
  /**
   * Most requests waiting for a connection (default 100); one more is refused at once with a 503
   * (load shedding), so the queue, its memory and its latency stay bounded.
   */
  queueLimit?: number;
  /** Where a connection lost while idle is reported. */
  logError: (err: unknown) => void;
  /** `application_name` of the connections (default {@link APPLICATION_NAME}). */
  applicationName?: string;
}

/** Connection-level failures: the database is down, restarting, unreachable or cut us off. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
]);

/**
 * The store's connections, and the one place database failures are turned into what a request
 * should say. Every query gets a connection within `connectTimeoutMs` (or is refused when
 * `queueLimit` requests already wait), runs within `statementTimeoutMs`, and a failure of the
 * connection itself becomes a {@link StoreUnavailableError}: `not-applied` when the statement never
 * left (no connection), `unknown` when a write was sent and no answer came back (it may have
 * committed; the client is told so). Other errors (a bug, a constraint) pass through unchanged.
 *
 * No lost connection can crash the process: idle ones are watched by the pool, and a checked-out
 * one gets an `'error'` listener for as long as it is out (pg removes the pool's while it is).
 *
 * @example
 * ```ts
 * const db = new Database({ connectionString, logError: console.error });
 * const { rows } = await db.query('SELECT 1 AS one', [], 'read');
 * await db.transaction(async (client) => client.query('UPDATE …'));
 * ```
 */
export class Database {
  readonly pool: Pool;
  private ended = false;

  constructor(private readonly options: DatabaseOptions) {
    const statementTimeout = options.statementTimeoutMs ?? 5000;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      // A fixed-size pool: a connection, once open, is kept rather than closed when idle, so the
      // burst that opens a sale does not pay for opening connections again (see {@link warm}).
      min: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      statement_timeout: statementTimeout,
      // The client's own bound: a statement the network holds up (no answer at all) fails too.
      query_timeout: statementTimeout + 500,
      application_name: options.applicationName ?? APPLICATION_NAME,
      keepAlive: true,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', (err) => this.ended || options.logError(err));
    // And no client of the pool is ever without a listener, whatever moment its connection dies
    // (pg removes the pool's own while a client is checked out): the error then surfaces as the
    // failure of the query that needed it, or of the next one.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Runs one statement. `kind` says what a lost answer means: a `read` changed nothing, a `write`
   * may have committed.
   */
  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params: unknown[],
    kind: 'read' | 'write',
    /**
     * Names the statement so each connection parses and plans it once and then only binds and runs
     * it (for a hot statement of a few fixed shapes; the name must be unique to its text).
     */
    name?: string,
  ): Promise<QueryResult<R>> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await client.query<R>(
        name === undefined ? { text, values: params } : { name, text, values: params },
      );
    } catch (err) {
      broken = isUnreachable(err) ? (err as Error) : undefined;
      throw toStoreError(err, kind === 'write' ? 'unknown' : 'not-applied');
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `work` in a transaction on one connection. A failure of the connection rejects with a
   * {@link StoreUnavailableError} (outcome `unknown`: the COMMIT may have reached the database).
   */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = isUnreachable(err) ? (err as Error) : undefined;
      if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw toStoreError(err, 'unknown');
    } finally {
      client.release(broken);
    }
  }

  /**
   * A connection of the pool, with an `'error'` listener while it is out: a connection that dies
   * between queries (killed, database restarted) then only fails its next query. Refused at once
   * when `queueLimit` requests already wait for one.
   */
  async connect(): Promise<PoolClient> {
    const { pool } = this;
    const full = pool.idleCount === 0 && pool.totalCount >= (this.options.poolSize ?? 10);
    if (full && pool.waitingCount >= (this.options.queueLimit ?? 100)) {
      throw new StoreUnavailableError('overloaded', 'not-applied', 1);
    }
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toStoreError(err, 'not-applied');
    }
    const onError = (err: Error) => this.ended || this.options.logError(err);
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean) => {
      client.removeListener('error', onError);
      release(err);
    };
    return client;
  }

  /**
   * Opens every connection of the pool now, each with the hot tables' catalog entries loaded (a
   * statement planned over them), instead of during the first requests: a freshly started
   * instance then meets its first burst as one that has been running does. The pool keeps them
   * open (`min` is its size).
   *
   * @example
   * ```ts
   * await db.warm(['seat', 'user_locks', 'seat_count', 'event']); // before the server listens
   * ```
   */
  async warm(tables: readonly string[]): Promise<void> {
    const size = this.options.poolSize ?? 10;
    const planned = `SELECT 1 FROM ${tables.join(', ')} LIMIT 0`;
    // Settled, not all-or-nothing: every connection that did open goes back to the pool (one
    // that failed its statement is dropped), whatever happened to the others.
    const opened = await Promise.allSettled(
      Array.from({ length: size }, async () => {
        const client = await this.connect();
        try {
          await client.query(planned);
          client.release();
        } catch (err) {
          client.release(err as Error);
          throw err;
        }
      }),
    );
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

/**
 * Whether `err` is the connection failing rather than the statement: the database cannot be
 * reached, restarted, cut us off, or did not answer within the bound.
 *
 * @example
 * ```ts
 * isUnreachable(Object.assign(new Error('terminating connection'), { code: '57P01' })); // true
 * ```
 */
export function isUnreachable(err: unknown): boolean {
  const { code, message = '' } = (err ?? {}) as { code?: string; message?: string };
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|not queryable|connection is closed|ECONNREFUSED|ECONNRESET/i.test(
    message,
  );
}

/**
 * `err` as the request should see it: a {@link StoreUnavailableError} when the database is at
 * fault (with `outcome` unless the error itself says nothing committed), else `err` unchanged.
 *
 * @example
 * ```ts
 * throw toStoreError(err, 'not-applied');
 * ```
 */
export function toStoreError(err: unknown, outcome: 'not-applied' | 'unknown'): unknown {
  if (err instanceof StoreUnavailableError) return err;
  const { code } = (err ?? {}) as { code?: string };
  // 57014: statement_timeout (a slow database): the statement was cancelled, nothing committed.
  if (code === '57014') return new StoreUnavailableError('timeout', 'not-applied', 1, err);
  if (/Query read timeout/.test((err as Error)?.message ?? '')) {
    return new StoreUnavailableError('timeout', outcome, 1, err);
  }
  if (isUnreachable(err)) return new StoreUnavailableError('unreachable', outcome, 2, err);
  return err;
}
