import { randomBytes } from 'node:crypto';
import { Client, Pool, type PoolClient } from 'pg';
import { initialTransition } from 'xstate';
import { seatMachine } from '../../../machines/seatMachine';
import type { SeatRequestEvent, SeatStateValue } from '../../../machines/seatTypes';
import type { Clock } from '../../clock';
import type { Venue } from '../../venue';
import type { LockQuota } from '../LockQuota';
import { PostgresLockQuota } from './PostgresLockQuota';
import { COUNT_SHARDS, migrate } from './schema';
import type { SeatChange } from '../../../machines/run/seatChanges';
import { toRecord } from '../seatRecord';
import type {
  ApplyResult,
  ListQuery,
  SeatPage,
  SeatRecord,
  SeatStore,
  SeatSummary,
  SeatTransition,
} from '../SeatStore';
import {
  persistSeat,
  restoreSeat,
  stepSeat,
  type SeatSnapshot,
  type SeatStep,
} from '../../../machines/run/stepSeat';
import { seatSummary, TransitionFeed } from '../TransitionFeed';

export interface PostgresSeatStoreOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string;
  venue: Venue;
  ttlMs: number;
  /** `now()` for the sweeper's EXPIRE events (request events bring their own `now`). */
  clock: Clock;
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
}

/** The NOTIFY channel transitions are published on, so every instance's subscribers see them. */
const CHANNEL = 'seat_transitions';

/** A compare-and-set that keeps losing means something is wrong: give up rather than spin forever. */
const MAX_ATTEMPTS = 100;

/** PostgreSQL error codes after which the same request is simply tried again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

/** A transition as it travels in a NOTIFY payload: which instance made it rides along. */
type Published = SeatTransition & { origin: string };

interface SeatRow {
  idx: number;
  snapshot: unknown;
  version: number;
}

/**
 * Seats in PostgreSQL, shared by any number of service instances. The machine stays the only judge:
 * `apply` reads the seat's persisted snapshot and version, runs the event through the machine with
 * xstate's pure `transition` (see {@link stepSeat}), and writes the new snapshot back only if the
 * version is still the one it read (compare-and-set), trying again from a fresh read otherwise. The
 * write is committed before `apply` resolves, so a client told "200" can lose nothing to a crash.
 *
 * A seat still in the machine's initial state has no row (a virtual seat, as in the memory store),
 * so opening a venue of a million seats writes one row. Locks expire without their instance: every
 * request first tells the machine the time, and each instance's sweeper expires due locks (rows
 * picked `FOR UPDATE SKIP LOCKED`, so instances share the work). Transitions are published with
 * `NOTIFY` inside the writing statement, so subscribers of every instance see exactly the
 * committed ones. Reads go to the database: they show every committed change, and a lock whose
 * deadline passed stays `locked` in them until a sweep or a request expires it.
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
  private readonly feed = new TransitionFeed();
  private readonly initial: SeatSnapshot;
  private readonly logError: (err: unknown) => void;
  private listener: Client | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Tells this instance's transitions from the ones it hears from others (see `local`). */
  private readonly origin = randomBytes(6).toString('hex');
  /** The lock cap's own connections (see {@link createLockQuota}), opened on first use. */
  private quotaPool: Pool | undefined;
  private readonly pool: Pool;

  private constructor(private readonly options: PostgresSeatStoreOptions) {
    this.venue = options.venue;
    this.initial = initialTransition(seatMachine, { ttlMs: options.ttlMs })[0];
    this.logError =
      options.logError ?? ((err) => console.error(`Seat store: ${describeError(err)}`));
    this.pool = this.newPool();
  }

  /**
   * Connects, creates or migrates the schema, checks the venue against the database's (a
   * mismatch rejects with `VenueMismatchError`), starts listening for other instances'
   * transitions, and starts the sweeper.
   */
  static async open(options: PostgresSeatStoreOptions): Promise<PostgresSeatStore> {
    const store = new PostgresSeatStore(options);
    try {
      const { venue, ttlMs } = options;
      await migrate(store.pool, { rows: venue.rows, seatsPerRow: venue.seatsPerRow, ttlMs });
      await store.listen();
    } catch (err) {
      await store.close();
      throw err;
    }
    store.scheduleSweep();
    return store;
  }

  async apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    const index = this.indexOf(id);
    for (let attempt = 1; ; attempt++) {
      const row = await this.readRow(index);
      const before = row ? restoreSeat(row.snapshot) : this.initial;
      const step = stepSeat(before, event);
      try {
        // A refusal changes nothing: it is decided on the snapshot just read, which was current
        // at that moment, so there is nothing to write.
        if (!step.changed || (await this.write(index, row?.version ?? 0, step))) {
          return { reply: step.reply, seat: toRecord(id, step.snapshot) };
        }
      } catch (err) {
        if (!RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`Seat ${id}: gave up after ${attempt} conflicting writes`);
      }
    }
  }

  async get(id: string): Promise<SeatRecord> {
    const row = await this.readRow(this.indexOf(id));
    return toRecord(id, row ? this.asOfNow(restoreSeat(row.snapshot)) : this.initial);
  }

  /**
   * The seat as the machine sees it now: a lock whose deadline has passed reads as expired even
   * before the sweeper has written that down (the machine decides, by a pure `EXPIRE{now}` step;
   * nothing is written by a read).
   */
  private asOfNow(snapshot: SeatSnapshot): SeatSnapshot {
    if (snapshot.value !== 'locked') return snapshot;
    return stepSeat(snapshot, { type: 'EXPIRE', now: this.options.clock.now() }).snapshot;
  }

  async list({ state, after, limit }: ListQuery): Promise<SeatPage> {
    const start = after === undefined ? 0 : this.indexOf(after) + 1;
    if (state === 'locked' || state === 'booked') return this.listStored(state, start, limit);
    const seats: SeatRecord[] = [];
    let index = start;
    // Seats without a row are available, so pages are made by walking indexes in windows and
    // filling the gaps with the initial seat.
    while (index < this.venue.size && seats.length < limit) {
      const end = Math.min(this.venue.size, index + Math.max(limit - seats.length, 1000));
      const rows = new Map((await this.readRows(index, end)).map((row) => [row.idx, row]));
      for (; index < end && seats.length < limit; index++) {
        const row = rows.get(index);
        const record = toRecord(
          this.venue.idAt(index),
          row ? this.asOfNow(restoreSeat(row.snapshot)) : this.initial,
        );
        if (state === undefined || record.state === state) seats.push(record);
      }
    }
    const next =
      index < this.venue.size && seats.length === limit ? seats[seats.length - 1].id : null;
    return { seats, next };
  }

  async summary(): Promise<SeatSummary> {
    const { rows } = await this.pool.query<{ locked: string; booked: string }>(
      'SELECT sum(locked) AS locked, sum(booked) AS booked FROM seat_count',
    );
    const locked = Number(rows[0].locked);
    const booked = Number(rows[0].booked);
    return seatSummary(this.venue.size, locked, booked);
  }

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    return this.feed.subscribe(listener);
  }

  /** `SELECT 1` on the request pool: rejects while the database cannot be reached. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /**
   * The per-user lock cap over this database, so it holds across every instance (see
   * {@link PostgresLockQuota}). It gets a pool of its own: a quota request holds a connection
   * (its per-user lock) while the seat's LOCK needs another, so sharing the request pool could
   * leave every connection waiting for one more. The store closes that pool with its own.
   * `createApp` calls this itself for a store that has it.
   *
   * @example
   * ```ts
   * const quota = store.createLockQuota(10);
   * await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent)); // { ok: true, … }
   * ```
   */
  createLockQuota(max: number): LockQuota {
    this.quotaPool ??= this.newPool();
    return new PostgresLockQuota({
      pool: this.quotaPool,
      venue: this.venue,
      max,
      clock: this.options.clock,
    });
  }

  /**
   * Expires due locks through the machine, at most `sweepBatch` of them, and returns how many it
   * expired. The sweeper calls it every `sweepIntervalMs`; tests call it by hand. Rows are picked
   * `FOR UPDATE SKIP LOCKED`, so instances sweeping together each take different seats.
   *
   * @example
   * ```ts
   * await store.sweep(); // 3
   * ```
   */
  async sweep(): Promise<number> {
    const now = this.options.clock.now();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<SeatRow>(
        `SELECT idx, snapshot, version FROM seat WHERE locked_until <= $1
         ORDER BY locked_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, this.options.sweepBatch ?? 500],
      );
      const steps = rows
        .map((row) => ({ row, step: stepSeat(restoreSeat(row.snapshot), { type: 'EXPIRE', now }) }))
        .filter(({ step }) => step.changed);
      if (steps.length > 0) await this.writeExpiries(client, steps);
      await client.query('COMMIT');
      return steps.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.sweepTimer);
    await this.sweeping;
    this.feed.clear();
    await this.listener?.end().catch(() => undefined);
    await Promise.all([this.pool.end(), this.quotaPool?.end()]);
  }

  private newPool(): Pool {
    const pool = new Pool({
      connectionString: this.options.connectionString,
      max: this.options.poolSize ?? 10,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', (err) => this.closed || this.logError(err));
    return pool;
  }

  private indexOf(id: string): number {
    const index = this.venue.indexOf(id);
    if (index === undefined) throw new RangeError(`No seat ${id} in this venue`);
    return index;
  }

  private async readRow(index: number): Promise<SeatRow | undefined> {
    const { rows } = await this.pool.query<SeatRow>(
      'SELECT idx, snapshot, version FROM seat WHERE idx = $1',
      [index],
    );
    return rows[0];
  }

  /** Rows with `start <= idx < end`, in order. */
  private async readRows(start: number, end: number): Promise<SeatRow[]> {
    const { rows } = await this.pool.query<SeatRow>(
      'SELECT idx, snapshot, version FROM seat WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [start, end],
    );
    return rows;
  }

  private async listStored(state: SeatStateValue, start: number, limit: number): Promise<SeatPage> {
    const { rows } = await this.pool.query<SeatRow>(
      'SELECT idx, snapshot, version FROM seat WHERE state = $1 AND idx >= $2 ORDER BY idx LIMIT $3',
      [state, start, limit],
    );
    // A lock past its deadline that the sweeper has not written down yet is left out of `locked`.
    const seats = rows
      .map((row) => toRecord(this.venue.idAt(row.idx), this.asOfNow(restoreSeat(row.snapshot))))
      .filter((seat) => seat.state === state);
    const last = rows[rows.length - 1];
    const next =
      rows.length === limit && last.idx < this.venue.size - 1 ? this.venue.idAt(last.idx) : null;
    return { seats, next };
  }

  /**
   * Writes the step back if the seat's row is still at `version` (0: no row yet), adjusting the
   * summary counters and publishing the transitions in the same statement, so all three commit
   * together or not at all. Returns false when another writer got there first.
   */
  private async write(index: number, version: number, step: SeatStep): Promise<boolean> {
    const { state, snapshot, lockedUntil, holder } = columns(step.snapshot);
    const params: unknown[] = [index, state, snapshot, lockedUntil, holder];
    const seatWrite =
      version === 0
        ? `INSERT INTO seat (idx, state, snapshot, version, locked_until, holder)
           VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (idx) DO NOTHING RETURNING idx`
        : `UPDATE seat SET state = $2, snapshot = $3, version = version + 1, locked_until = $4,
             holder = $5
           WHERE idx = $1 AND version = ${param(params, version)} RETURNING idx`;
    // The counter update runs only after the seat write succeeded (EXPLAIN shows its EXISTS as a
    // one-time filter over `written`): a request locks its seat row before its counter row, the
    // order the sweeper uses too, so the two can never deadlock.
    const { locked, booked } = countDelta(step.states);
    const counters =
      locked === 0 && booked === 0
        ? ''
        : `, counted AS (UPDATE seat_count SET locked = locked + ${param(params, locked)},
             booked = booked + ${param(params, booked)}
             WHERE shard = ${param(params, index % COUNT_SHARDS)} AND EXISTS (SELECT 1 FROM written))`;
    const transitions = this.transitions(index, step.changes);
    const notify =
      transitions.length === 0
        ? 'SELECT idx FROM written'
        : `SELECT pg_notify('${CHANNEL}', ${param(params, JSON.stringify(transitions))}) FROM written`;
    const result = await this.pool.query(
      `WITH written AS (${seatWrite})${counters} ${notify}`,
      params,
    );
    return result.rowCount === 1;
  }

  /** The sweeper's writes: rows are locked by its transaction, so no version check can fail. */
  private async writeExpiries(
    client: PoolClient,
    steps: { row: SeatRow; step: SeatStep }[],
  ): Promise<void> {
    const written = steps.map(({ row, step }) => ({ idx: row.idx, ...columns(step.snapshot) }));
    await client.query(
      `UPDATE seat SET state = u.state, snapshot = u.snapshot, version = seat.version + 1,
         locked_until = u.locked_until, holder = u.holder
       FROM unnest($1::integer[], $2::text[], $3::jsonb[], $4::bigint[], $5::text[])
         AS u(idx, state, snapshot, locked_until, holder)
       WHERE seat.idx = u.idx`,
      [
        written.map((w) => w.idx),
        written.map((w) => w.state),
        written.map((w) => w.snapshot),
        written.map((w) => w.lockedUntil),
        written.map((w) => w.holder),
      ],
    );
    const perShard = new Map<number, { locked: number; booked: number }>();
    for (const { row, step } of steps) {
      const shard = row.idx % COUNT_SHARDS;
      const delta = countDelta(step.states);
      const sum = perShard.get(shard) ?? { locked: 0, booked: 0 };
      perShard.set(shard, { locked: sum.locked + delta.locked, booked: sum.booked + delta.booked });
    }
    // Counter rows in ascending shard order, so two sweepers can never deadlock on them.
    for (const shard of [...perShard.keys()].sort((a, b) => a - b)) {
      const { locked, booked } = perShard.get(shard)!;
      await client.query(
        'UPDATE seat_count SET locked = locked + $2, booked = booked + $3 WHERE shard = $1',
        [shard, locked, booked],
      );
    }
    // One notification per seat: a payload must stay under 8000 bytes, a batch's would not.
    await client.query(`SELECT pg_notify('${CHANNEL}', p) FROM unnest($1::text[]) AS p`, [
      steps.map(({ row, step }) => JSON.stringify(this.transitions(row.idx, step.changes))),
    ]);
  }

  /**
   * The NOTIFY payload of a step: the same fields the memory store's transitions carry (reason,
   * lock holder), plus this instance's `origin`.
   */
  private transitions(index: number, changes: SeatChange[]): Published[] {
    const id = this.venue.idAt(index);
    const at = this.options.clock.now();
    return changes.map((change) => ({ id, ...change, at, origin: this.origin }));
  }

  /** A dedicated connection LISTENs for every instance's transitions (this one's included). */
  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', ({ payload }) => this.publish(payload));
    client.on('error', (err) => {
      if (this.closed) return;
      this.logError(err);
      if (this.listener === client) this.listener = undefined;
      // Transitions committed while the connection is down are not heard; reconnect and go on.
      if (!this.closed) setTimeout(() => this.relisten(), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private relisten(): void {
    if (this.closed || this.listener) return;
    this.listen().catch((err) => {
      this.logError(err);
      setTimeout(() => this.relisten(), 1000).unref();
    });
  }

  private publish(payload: string | undefined): void {
    if (!payload) return;
    for (const { origin, ...heard } of JSON.parse(payload) as Published[]) {
      const transition: SeatTransition = { ...heard, local: origin === this.origin };
      this.feed.publish(transition);
    }
  }

  private scheduleSweep(): void {
    const interval = this.options.sweepIntervalMs ?? 1000;
    if (interval <= 0 || this.closed) return;
    this.sweepTimer = setTimeout(() => {
      this.sweeping = this.sweepAll()
        .catch((err) => this.logError(err))
        .finally(() => this.scheduleSweep());
    }, interval).unref();
  }

  /** Sweeps until no due lock is left (a backlog after an outage takes several batches). */
  private async sweepAll(): Promise<void> {
    const batch = this.options.sweepBatch ?? 500;
    while (!this.closed && (await this.sweep()) >= batch);
  }
}

/** The columns a snapshot is stored in: the snapshot itself, plus what the indexes need. */
function columns(snapshot: SeatSnapshot): {
  state: SeatStateValue;
  snapshot: string;
  lockedUntil: number | null;
  holder: string | null;
} {
  const lock = snapshot.value === 'locked' ? snapshot.context.lock : null;
  return {
    state: snapshot.value,
    snapshot: JSON.stringify(persistSeat(snapshot)),
    lockedUntil: lock ? lock.until : null,
    holder: lock ? lock.userId : null,
  };
}

/** How the locked and booked counts change along a path of states. */
function countDelta(states: SeatStateValue[]): { locked: number; booked: number } {
  const from = states[0];
  const to = states[states.length - 1];
  const delta = (state: SeatStateValue) => Number(to === state) - Number(from === state);
  return { locked: delta('locked'), booked: delta('booked') };
}

/** Adds `value` to the query's parameters and returns its placeholder. */
function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
