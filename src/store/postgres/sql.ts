import { escapeLiteral } from 'pg';
import { COUNT_BLOCK, COUNT_SHARDS } from './schema';

/**
 * Every SQL text the PostgreSQL store runs, by name, so each statement can be read (and
 * EXPLAINed) in one place. The schema itself lives in `schema.ts`. Statements that take a variable
 * number of parameters are functions of their placeholders; the callers number them.
 *
 * @example
 * ```ts
 * await db.query(sql.selectSeat, [eventId, index], 'read');
 * ```
 */
export const sql = {
  /** A hold's row, locked for the rest of the transaction (its requests take turns). */
  lockHold: 'SELECT snapshot FROM hold WHERE event_id = $1 AND id = $2 FOR UPDATE',
  /** A hold's row, to read. */
  selectHold: 'SELECT snapshot FROM hold WHERE event_id = $1 AND id = $2',
  /** A hold's row, made or rewritten (parameters: event, id, owner, state, snapshot, until). */
  writeHold: `INSERT INTO hold (event_id, id, owner, state, snapshot, until)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (event_id, id) DO UPDATE SET state = EXCLUDED.state, snapshot = EXCLUDED.snapshot,
             until = EXCLUDED.until`,
  /** One seat's row (none while the seat is still in the machine's initial state). */
  selectSeat: 'SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND idx = $2',
  /** One seat's row, locked for the rest of the transaction (none: the seat has no row yet). */
  lockSeat: 'SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND idx = $2 FOR UPDATE',
  /** The rows with `$2 <= idx < $3`, in order. */
  selectSeatRange: `SELECT idx, snapshot, version FROM seat
           WHERE event_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`,
  /** A page of the rows in state `$2` from index `$3` on, at most `$4`. */
  selectSeatsInState: `SELECT idx, snapshot, version FROM seat
           WHERE event_id = $1 AND state = $2 AND idx >= $3 ORDER BY idx LIMIT $4`,
  /** The summary counters, summed over their shards (none yet: an event nobody touched). */
  sumCounts: `SELECT coalesce(sum(locked), 0) AS locked, coalesce(sum(booked), 0) AS booked
           FROM seat_count WHERE event_id = $1`,
  /**
   * The next part of a page of available seats of event `$1` from index `$2` on (venue size `$3`,
   * now `$4`, at most `$5` seats), without reading the seats of full blocks. The first block from
   * `$2`'s on that may hold one: a block whose counters say it is not full (a block without
   * counter rows has no taken seat), or one holding a lock whose copied deadline has passed (the
   * machine may read it as available; the sweeper keeps these few). Within that block the range
   * `[start, stop)` is enough for `$5` available seats (`$5` plus the block's taken seats long),
   * and of it only the seats of shards whose counter is not full are looked up, one index probe
   * each (all of them in a block with a lapsed lock). Each row: `stop`, then a candidate seat
   * (`idx`, and its `snapshot` when it has a row), in order; a lone row with a null `idx` when the
   * range has none; no row at all when no block from `$2`'s on may hold an available seat. Which
   * candidates are available is the machine's call (`seatAt`).
   */
  selectAvailableInBlock: `WITH shards AS (
         SELECT block, shard, locked + booked AS taken FROM seat_count
         WHERE event_id = $1 AND block >= $2::integer / ${COUNT_BLOCK}),
       counted AS (SELECT block, sum(taken)::integer AS taken FROM shards GROUP BY block),
       candidate AS (
         SELECT b.block, coalesce(c.taken, 0) AS taken, false AS lapsed
         FROM generate_series($2::integer / ${COUNT_BLOCK}, ($3::integer - 1) / ${COUNT_BLOCK}) AS b(block)
           LEFT JOIN counted c USING (block)
         WHERE coalesce(c.taken, 0) < least(${COUNT_BLOCK}, $3::integer - b.block * ${COUNT_BLOCK})
         UNION ALL
         SELECT idx / ${COUNT_BLOCK}, ${COUNT_BLOCK}, true FROM seat
         WHERE event_id = $1 AND locked_until <= $4::bigint AND idx >= $2::integer),
       chosen AS (
         SELECT block, greatest($2::integer, block * ${COUNT_BLOCK}) AS start, max(taken) AS taken,
           bool_or(lapsed) AS lapsed,
           least(${COUNT_BLOCK}, $3::integer - block * ${COUNT_BLOCK}) AS size
         FROM candidate GROUP BY block ORDER BY block LIMIT 1),
       bounds AS (
         SELECT start, least(block * ${COUNT_BLOCK} + size, start + $5::integer + taken) AS stop,
           lapsed,
           ARRAY(SELECT s.shard FROM shards s WHERE s.block = chosen.block
             AND s.taken >= (size - s.shard + ${COUNT_SHARDS - 1}) / ${COUNT_SHARDS}) AS full
         FROM chosen)
       SELECT r.stop, x.idx, x.snapshot FROM bounds r
       LEFT JOIN LATERAL (
         SELECT g.idx, s.snapshot FROM generate_series(r.start, r.stop - 1) AS g(idx)
           LEFT JOIN LATERAL (
             SELECT t.state, t.locked_until, t.snapshot FROM seat t
             WHERE t.event_id = $1 AND t.idx = g.idx LIMIT 1) s ON true
         WHERE (r.lapsed OR NOT g.idx % ${COUNT_SHARDS} = ANY(r.full))
           AND (s.state IS NULL OR s.state = 'available' OR s.locked_until <= $4::bigint)
         ORDER BY g.idx LIMIT $5::integer) x ON true
       ORDER BY x.idx`,
  /**
   * What `availableRuns` needs of event `$1`'s seats `$2 <= idx < $3` (venue size `$4`), without
   * reading the seats of full blocks: each full block (`full`), and the index of each seat whose
   * row is not available in the other blocks with counter rows (`idx`). Blocks without counter
   * rows have no taken seat.
   */
  selectTakenInBlocks: `WITH counted AS (
         SELECT block, sum(locked + booked)::integer AS taken,
           least(${COUNT_BLOCK}, $4::integer - block * ${COUNT_BLOCK}) AS size FROM seat_count
         WHERE event_id = $1 AND block >= $2::integer / ${COUNT_BLOCK}
           AND block <= ($3::integer - 1) / ${COUNT_BLOCK}
         GROUP BY block)
       SELECT block AS full, NULL::integer AS idx FROM counted WHERE taken >= size
       UNION ALL
       SELECT NULL, s.idx FROM counted c CROSS JOIN LATERAL (
         SELECT idx FROM seat WHERE event_id = $1 AND state <> 'available'
           AND idx >= greatest($2::integer, c.block * ${COUNT_BLOCK})
           AND idx < least($3::integer, (c.block + 1) * ${COUNT_BLOCK})) s
       WHERE c.taken < c.size`,
  /** The rows of the seats user `$2` holds locked or has booked (indexes seat_holder, seat_booker). */
  selectSeatsOfUser: `SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND holder = $2
       UNION SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND state = 'booked'
         AND snapshot #>> '{context,booking,userId}' = $2
       ORDER BY idx`,
  /** Whether the database answers at all. */
  ping: 'SELECT 1',
  /** Keeps key `$1` as `$2` unless the key exists, and returns the key kept (first writer wins). */
  keepServiceKey: `WITH kept AS (
         INSERT INTO service_key (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
         RETURNING secret)
       SELECT secret FROM kept UNION ALL SELECT secret FROM service_key WHERE name = $1`,

  /** The first write of a seat (parameters: event, idx, state, snapshot, locked_until, holder). */
  insertSeat: `INSERT INTO seat (event_id, idx, state, snapshot, version, locked_until, holder)
           VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (event_id, idx) DO NOTHING RETURNING idx`,
  /**
   * The first write of a seat, only if the CTE `gate` has a row (the checks before it passed);
   * parameters as {@link sql.insertSeat}'s.
   */
  insertSeatAfter: (gate: string) =>
    `INSERT INTO seat (event_id, idx, state, snapshot, version, locked_until, holder)
           SELECT $1::text, $2::integer, $3::text, $4::jsonb, 1, $5::bigint, $6::text FROM ${gate}
           ON CONFLICT (event_id, idx) DO NOTHING RETURNING idx`,
  /**
   * The compare-and-set of a seat already written: only if its version is still `version` (and,
   * given `gate`, only if that CTE has a row; given `before`, only while the time `now`, an SQL
   * expression, is still before `until`: the deadline of the live lock the step was decided on).
   */
  updateSeatAtVersion: (version: string, gate?: string, before?: { now: string; until: string }) =>
    `UPDATE seat SET state = $3, snapshot = $4, version = version + 1, locked_until = $5,
             holder = $6
           WHERE event_id = $1 AND idx = $2 AND version = ${version}${
             gate ? ` AND EXISTS (SELECT 1 FROM ${gate})` : ''
           }${before ? ` AND ${before.now} < ${before.until}` : ''} RETURNING idx`,
  /**
   * A counter row's change (the seat's block and shard), run only if the seat write in `written`
   * succeeded; a counter row is made by its first change.
   */
  countWritten: (locked: string, booked: string, block: string, shard: string) =>
    `INSERT INTO seat_count (event_id, block, shard, locked, booked)
             SELECT $1, ${block}::integer, ${shard}::integer, ${locked}::bigint, ${booked}::bigint
             FROM written
             ON CONFLICT (event_id, block, shard) DO UPDATE
               SET locked = seat_count.locked + EXCLUDED.locked,
                 booked = seat_count.booked + EXCLUDED.booked`,
  /** Publishes `payload` if the seat write in `written` succeeded. */
  notifyWritten: (channel: string, payload: string) =>
    `SELECT pg_notify('${channel}', ${payload}) FROM written`,
  /** The seat write's own result, when there is nothing to publish. */
  selectWritten: 'SELECT idx FROM written',
  /**
   * The whole compare-and-set: the seat write, then the counters, then the notification; `before`,
   * CTEs ending in `, ` that the seat write is gated on.
   */
  writeSeat: (seatWrite: string, counters: string, notify: string, before = '') =>
    `WITH ${before}written AS (${seatWrite})${counters === '' ? '' : `, counted AS (${counters})`} ${notify}`,

  /**
   * The events with locks whose copied deadline is at or before `$1`, at most `$2` of them: a read
   * across events (no transaction), so the sweeper can then expire each event's in a transaction
   * of its own.
   */
  selectEventsWithDueLocks: `SELECT DISTINCT event_id FROM seat WHERE locked_until <= $1 LIMIT $2`,
  /**
   * Event `$1`'s candidates for expiry: locks whose copied deadline is at or before `$2` (an index
   * range, so a sweep reads only these), oldest first, at most `$3`, not taken by another sweeper.
   * The machine then decides each one (`EXPIRE{now}`); a row it does not expire is left as it is.
   */
  selectDueLocks: `SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND locked_until <= $2
         ORDER BY locked_until LIMIT $3 FOR UPDATE SKIP LOCKED`,
  /**
   * The rows of event `$1`'s seats `$2` (an index array), locked for the rest of the transaction
   * in index order: two multi-seat steps over overlapping seats queue instead of deadlocking.
   */
  lockSeats: `SELECT idx, snapshot, version FROM seat WHERE event_id = $1 AND idx = ANY($2)
       ORDER BY idx FOR UPDATE`,
  /**
   * First rows of several seats of event `$1` (a multi-seat step); a row another writer made
   * meanwhile is not inserted, and the caller, counting what was, runs its transaction again.
   */
  insertSeats: `INSERT INTO seat (event_id, idx, state, snapshot, version, locked_until, holder)
       SELECT $1, u.idx, u.state, u.snapshot, 1, u.locked_until, u.holder
       FROM unnest($2::integer[], $3::text[], $4::jsonb[], $5::bigint[], $6::text[])
         AS u(idx, state, snapshot, locked_until, holder)
       ORDER BY u.idx
       ON CONFLICT (event_id, idx) DO NOTHING`,
  /**
   * The sweeper's batch write of the rows of event `$1` its transaction holds (also a multi-seat
   * step's).
   */
  writeExpiries: `UPDATE seat SET state = u.state, snapshot = u.snapshot, version = seat.version + 1,
         locked_until = u.locked_until, holder = u.holder
       FROM unnest($2::integer[], $3::text[], $4::jsonb[], $5::bigint[], $6::text[])
         AS u(idx, state, snapshot, locked_until, holder)
       WHERE seat.event_id = $1 AND seat.idx = u.idx`,
  /**
   * Several counter rows' changes of event `$1` (arrays: block, shard, locked, booked; see
   * `countArrays`), made in the order given, which is the order their rows are locked in.
   */
  addToCounts: `INSERT INTO seat_count (event_id, block, shard, locked, booked)
         SELECT $1, u.block, u.shard, u.locked, u.booked
         FROM unnest($2::integer[], $3::integer[], $4::bigint[], $5::bigint[]) WITH ORDINALITY
           AS u(block, shard, locked, booked, n)
         ORDER BY u.n
         ON CONFLICT (event_id, block, shard) DO UPDATE
           SET locked = seat_count.locked + EXCLUDED.locked,
             booked = seat_count.booked + EXCLUDED.booked`,
  /** One notification per payload of `$1`. */
  notifyEach: (channel: string) => `SELECT pg_notify('${channel}', p) FROM unnest($1::text[]) AS p`,
  listen: (channel: string) => `LISTEN ${channel}`,

  /**
   * Many one-trip locks in one statement (one round trip, one commit): each row of the arrays is
   * one lock decided in JavaScript on rows as its process saw them, written only if every version
   * it was decided on still holds, exactly as the one-lock statement checks them: the event's row
   * (`sale_id` null: no sales window), the seat's version (0: no row), then the user's version
   * bumped by compare-and-set (or, at 0, the user's first row, made only if no seat names the user
   * as holder), then the seat written by compare-and-set (an update decided on a live lock only
   * before `live_until`, by `now`), the counters and the notification. Rows are independent: one
   * whose check fails writes nothing and the others go on.
   *
   * Rows are locked stage by stage, each stage in one order, the order every other writer uses
   * too: users (first rows, then existing rows by user), then seats (existing rows by index, then
   * first rows by index, as `MultiSeatApply`), then counters by block and shard. An existing user
   * or seat row that another transaction holds is skipped (`SKIP LOCKED`): its lock is not written
   * here, and the caller decides it on the two-message path, which waits its turn. So the
   * statement never waits on a row a two-message lock, a hold or a sweep holds, and one busy row
   * cannot hold up the other locks of the statement. The numbers (`n`, from 1) of the rows
   * written come back.
   *
   * Parameters, one array each: event, idx, seat version, user, user version, sale event, sale
   * version, state, snapshot, locked_until, holder, live_until, block, shard, locked delta, booked
   * delta, NOTIFY payload (null: nothing to publish). No two rows share a seat or a user.
   */
  writeLocks: (channel: string, now: string) =>
    `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[], $4::text[], $5::integer[],
             $6::text[], $7::integer[], $8::text[], $9::jsonb[], $10::bigint[], $11::text[],
             $12::bigint[], $13::integer[], $14::integer[], $15::bigint[], $16::bigint[], $17::text[])
           WITH ORDINALITY AS i(event_id, idx, seat_version, user_id, user_version, sale_id,
             sale_version, state, snapshot, locked_until, holder, live_until, block, shard, locked,
             booked, payload, n)),
       checked AS (
         SELECT i.* FROM input i
         WHERE (i.sale_id IS NULL
             OR EXISTS (SELECT 1 FROM event e WHERE e.id = i.sale_id AND e.version = i.sale_version))
           AND (SELECT coalesce(max(s.version), 0) FROM seat s
             WHERE s.event_id = i.event_id AND s.idx = i.idx) = i.seat_version),
       firsts AS (
         INSERT INTO user_locks (event_id, user_id, version)
         SELECT c.event_id, c.user_id, 1 FROM checked c
         WHERE c.user_version = 0
           AND NOT EXISTS (SELECT 1 FROM seat s WHERE s.event_id = c.event_id AND s.holder = c.user_id)
         ORDER BY c.event_id, c.user_id
         ON CONFLICT (event_id, user_id) DO NOTHING RETURNING event_id, user_id),
       users AS (
         SELECT u.event_id, u.user_id FROM checked c
           JOIN user_locks u ON u.event_id = c.event_id AND u.user_id = c.user_id
             AND u.version = c.user_version
         WHERE c.user_version > 0
         ORDER BY u.event_id, u.user_id
         FOR UPDATE OF u SKIP LOCKED),
       bumped AS (
         UPDATE user_locks u SET version = u.version + 1 FROM users l
         WHERE u.event_id = l.event_id AND u.user_id = l.user_id
         RETURNING u.event_id, u.user_id),
       mine AS (
         SELECT c.* FROM checked c
           JOIN (SELECT * FROM firsts UNION ALL SELECT * FROM bumped) m USING (event_id, user_id)
         ORDER BY c.event_id, c.idx),
       seats AS (
         SELECT s.event_id, s.idx FROM mine m
           JOIN seat s ON s.event_id = m.event_id AND s.idx = m.idx AND s.version = m.seat_version
         WHERE m.seat_version > 0
         ORDER BY s.event_id, s.idx
         FOR UPDATE OF s SKIP LOCKED),
       updated AS (
         UPDATE seat s SET state = m.state, snapshot = m.snapshot, version = s.version + 1,
             locked_until = m.locked_until, holder = m.holder
         FROM seats l JOIN mine m USING (event_id, idx)
         WHERE s.event_id = l.event_id AND s.idx = l.idx
           AND (m.live_until IS NULL OR ${now} < m.live_until)
         RETURNING s.event_id, s.idx),
       inserted AS (
         INSERT INTO seat (event_id, idx, state, snapshot, version, locked_until, holder)
         SELECT event_id, idx, state, snapshot, 1, locked_until, holder FROM mine
         WHERE seat_version = 0
         ON CONFLICT (event_id, idx) DO NOTHING RETURNING event_id, idx),
       written AS (
         SELECT m.* FROM mine m
           JOIN (SELECT * FROM updated UNION ALL SELECT * FROM inserted) w USING (event_id, idx)),
       counted AS (
         INSERT INTO seat_count (event_id, block, shard, locked, booked)
         SELECT event_id, block, shard, sum(locked), sum(booked) FROM written
         WHERE locked <> 0 OR booked <> 0
         GROUP BY event_id, block, shard ORDER BY event_id, block, shard
         ON CONFLICT (event_id, block, shard) DO UPDATE
           SET locked = seat_count.locked + EXCLUDED.locked,
             booked = seat_count.booked + EXCLUDED.booked)
       SELECT n, CASE WHEN payload IS NOT NULL THEN pg_notify('${channel}', payload) END FROM written`,

  /**
   * Bumps user `$2`'s lock version in event `$1` (its row made at 1 by the user's first lock) and
   * returns the new one. The row stays locked for the rest of the transaction, so one user's cap
   * checks take turns across instances; a rollback (a refusal) undoes the bump.
   */
  bumpUserLocks: `INSERT INTO user_locks (event_id, user_id, version) VALUES ($1, $2, 1)
           ON CONFLICT (event_id, user_id) DO UPDATE SET version = user_locks.version + 1
           RETURNING version`,
  /** A row only while event `id` is still at `version` (the sales window a lock was judged on). */
  eventAtVersion: (id: string, version: string) =>
    `SELECT 1 FROM event WHERE id = ${id} AND version = ${version}`,
  /** Seats of event `$1` whose lock names `$2` as holder (whether each still counts is the machine's call). */
  selectLocksOf: 'SELECT idx, snapshot FROM seat WHERE event_id = $1 AND holder = $2 ORDER BY idx',

  /**
   * The lock of client address `$2` in event `$1` for the client lock cap, for the rest of the
   * transaction (the cap counts per event). Two-key form: its own lock space, apart from the
   * schema's one-key advisory lock. A hash collision only makes two addresses take turns.
   */
  lockClient: `SELECT pg_advisory_xact_lock(hashtext('seat-booking-service client locks'),
           hashtext($1 || '/' || $2))`,
  /**
   * The locks taken from client `$2` in event `$1` and their seats' rows (whether each lock still
   * counts is the seat machine's call, on the snapshot).
   */
  selectClientLocks: `SELECT c.idx, c.lock_id, s.snapshot FROM client_lock c
           JOIN seat s ON s.event_id = c.event_id AND s.idx = c.idx
           WHERE c.event_id = $1 AND c.client = $2 ORDER BY c.idx`,
  /** Records that client `$4` took lock `$3` on seat `$2` of event `$1` (deadline `$5`); a retry moves it. */
  insertClientLock: `INSERT INTO client_lock (event_id, idx, lock_id, client, until)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (event_id, idx, lock_id) DO UPDATE SET client = EXCLUDED.client,
             until = EXCLUDED.until`,
  /** Event `$1`'s rows of locks past their deadline `$2`: they count for nobody. */
  deleteEndedClientLocks: 'DELETE FROM client_lock WHERE event_id = $1 AND until <= $2',

  /** A new event, unless its id is taken (then no row comes back). */
  insertEvent: `INSERT INTO event (id, name, starts_at, lock_ttl_ms, layout, sales, version)
           VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (id) DO NOTHING
           RETURNING id, name, starts_at, lock_ttl_ms, layout, sales, version`,
  /** One event. */
  selectEvent: `SELECT id, name, starts_at, lock_ttl_ms, layout, sales, version FROM event
           WHERE id = $1`,
  /** A page of events in id order after `$1` (none: from the first), at most `$2`. */
  selectEvents: `SELECT id, name, starts_at, lock_ttl_ms, layout, sales, version FROM event
           WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2`,
  /** The compare-and-set of an event's sales machine: only if its version is still `$3`. */
  updateEventSales: `UPDATE event SET sales = $2, version = version + 1
           WHERE id = $1 AND version = $3
           RETURNING id, name, starts_at, lock_ttl_ms, layout, sales, version`,
} as const;

/** The NOTIFY channel transitions are published on, so every instance's subscribers see them. */
export const CHANNEL = 'seat_transitions';

/**
 * `text` with its placeholders replaced by `params` as SQL literals, for the simple query protocol,
 * which takes several statements in one message (one round trip) but no parameters. Strings are
 * quoted with pg's `escapeLiteral`, objects as their JSON; numbers must be finite.
 *
 * @example
 * ```ts
 * inlineParams('SELECT $1, $2', ["it's", 3]); // "SELECT 'it''s', 3"
 * ```
 */
export function inlineParams(text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`Not a SQL number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value));
}

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
