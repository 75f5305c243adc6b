/**
 * Every SQL text the PostgreSQL store runs, by name, so each statement can be read (and
 * EXPLAINed) in one place. The schema itself lives in `schema.ts`. Statements that take a variable
 * number of parameters are functions of their placeholders; the callers number them.
 *
 * @example
 * ```ts
 * await pool.query(sql.selectSeat, [index]);
 * ```
 */
export const sql = {
  /** One seat's row (none while the seat is still in the machine's initial state). */
  selectSeat: 'SELECT idx, snapshot, version FROM seat WHERE idx = $1',
  /** The rows with `$1 <= idx < $2`, in order. */
  selectSeatRange:
    'SELECT idx, snapshot, version FROM seat WHERE idx >= $1 AND idx < $2 ORDER BY idx',
  /** A page of the rows in state `$1` from index `$2` on, at most `$3`. */
  selectSeatsInState:
    'SELECT idx, snapshot, version FROM seat WHERE state = $1 AND idx >= $2 ORDER BY idx LIMIT $3',
  /** The summary counters, summed over their shards. */
  sumCounts: 'SELECT sum(locked) AS locked, sum(booked) AS booked FROM seat_count',
  /** Whether the database answers at all. */
  ping: 'SELECT 1',
  /** Keeps key `$1` as `$2` unless the key exists, and returns the key kept (first writer wins). */
  keepServiceKey: `WITH kept AS (
         INSERT INTO service_key (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
         RETURNING secret)
       SELECT secret FROM kept UNION ALL SELECT secret FROM service_key WHERE name = $1`,

  /** The first write of a seat (parameters: idx, state, snapshot, locked_until, holder). */
  insertSeat: `INSERT INTO seat (idx, state, snapshot, version, locked_until, holder)
           VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (idx) DO NOTHING RETURNING idx`,
  /** The compare-and-set of a seat already written: only if its version is still `version`. */
  updateSeatAtVersion: (version: string) =>
    `UPDATE seat SET state = $2, snapshot = $3, version = version + 1, locked_until = $4,
             holder = $5
           WHERE idx = $1 AND version = ${version} RETURNING idx`,
  /** A counter shard's change, run only if the seat write in `written` succeeded. */
  countWritten: (locked: string, booked: string, shard: string) =>
    `UPDATE seat_count SET locked = locked + ${locked},
             booked = booked + ${booked}
             WHERE shard = ${shard} AND EXISTS (SELECT 1 FROM written)`,
  /** Publishes `payload` if the seat write in `written` succeeded. */
  notifyWritten: (channel: string, payload: string) =>
    `SELECT pg_notify('${channel}', ${payload}) FROM written`,
  /** The seat write's own result, when there is nothing to publish. */
  selectWritten: 'SELECT idx FROM written',
  /** The whole compare-and-set: the seat write, then the counters, then the notification. */
  writeSeat: (seatWrite: string, counters: string, notify: string) =>
    `WITH written AS (${seatWrite})${counters === '' ? '' : `, counted AS (${counters})`} ${notify}`,

  /**
   * Candidates for expiry: locks whose copied deadline is at or before `$1` (an index range, so a
   * sweep reads only these), oldest first, at most `$2`, not taken by another sweeper. The machine
   * then decides each one (`EXPIRE{now}`); a row it does not expire is left as it is.
   */
  selectDueLocks: `SELECT idx, snapshot, version FROM seat WHERE locked_until <= $1
         ORDER BY locked_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
  /**
   * The rows of the seats `$1` (an index array), locked for the rest of the transaction in index
   * order: two multi-seat steps over overlapping seats queue instead of deadlocking.
   */
  lockSeats: 'SELECT idx, snapshot, version FROM seat WHERE idx = ANY($1) ORDER BY idx FOR UPDATE',
  /**
   * First rows of several seats (a multi-seat step); a row another writer made meanwhile is not
   * inserted, and the caller, counting what was, runs its transaction again.
   */
  insertSeats: `INSERT INTO seat (idx, state, snapshot, version, locked_until, holder)
       SELECT u.idx, u.state, u.snapshot, 1, u.locked_until, u.holder
       FROM unnest($1::integer[], $2::text[], $3::jsonb[], $4::bigint[], $5::text[])
         AS u(idx, state, snapshot, locked_until, holder)
       ORDER BY u.idx
       ON CONFLICT (idx) DO NOTHING`,
  /** The sweeper's batch write of the rows its transaction holds (also a multi-seat step's). */
  writeExpiries: `UPDATE seat SET state = u.state, snapshot = u.snapshot, version = seat.version + 1,
         locked_until = u.locked_until, holder = u.holder
       FROM unnest($1::integer[], $2::text[], $3::jsonb[], $4::bigint[], $5::text[])
         AS u(idx, state, snapshot, locked_until, holder)
       WHERE seat.idx = u.idx`,
  /** One counter shard's change (parameters: shard, locked, booked). */
  addToCountShard:
    'UPDATE seat_count SET locked = locked + $2, booked = booked + $3 WHERE shard = $1',
  /** One notification per payload of `$1`. */
  notifyEach: (channel: string) => `SELECT pg_notify('${channel}', p) FROM unnest($1::text[]) AS p`,
  listen: (channel: string) => `LISTEN ${channel}`,

  /**
   * The per-user lock of the lock cap, for the rest of the transaction. Two-key form: its own lock
   * space, apart from the schema's one-key advisory lock. A hash collision only makes two users
   * take turns.
   */
  lockUser: `SELECT pg_advisory_xact_lock(hashtext('seat-booking-service user locks'), hashtext($1))`,
  /** Seats whose lock names `$1` as holder (whether each still counts is the machine's call). */
  selectLocksOf: 'SELECT idx, snapshot FROM seat WHERE holder = $1 ORDER BY idx',

  /** The per-client-address lock of the client lock cap: a lock space of its own, like `lockUser`. */
  lockClient: `SELECT pg_advisory_xact_lock(hashtext('seat-booking-service client locks'), hashtext($1))`,
  /**
   * The locks taken from client `$1` and their seats' rows (whether each lock still counts is the
   * seat machine's call, on the snapshot).
   */
  selectClientLocks: `SELECT c.idx, c.lock_id, s.snapshot FROM client_lock c JOIN seat s ON s.idx = c.idx
           WHERE c.client = $1 ORDER BY c.idx`,
  /** Records that client `$3` took lock `$2` on seat `$1` (deadline `$4`); a retry moves it. */
  insertClientLock: `INSERT INTO client_lock (idx, lock_id, client, until) VALUES ($1, $2, $3, $4)
           ON CONFLICT (idx, lock_id) DO UPDATE SET client = EXCLUDED.client, until = EXCLUDED.until`,
  /** Rows of locks past their deadline `$1`: they count for nobody. */
  deleteEndedClientLocks: 'DELETE FROM client_lock WHERE until <= $1',
} as const;

/** The NOTIFY channel transitions are published on, so every instance's subscribers see them. */
export const CHANNEL = 'seat_transitions';

/**
 * Adds `value` to a query's parameters and returns its placeholder.
 *
 * @example
 * ```ts
 * const params: unknown[] = [1];
 * param(params, 'x'); // '$2'
 * ```
 */
export function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}
