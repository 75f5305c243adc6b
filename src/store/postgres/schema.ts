import type { Pool, PoolClient } from 'pg';

/** The venue a database was seeded with: it must match the configuration of every instance. */
export interface VenueSettings {
  rows: number;
  seatsPerRow: number;
  ttlMs: number;
}

/**
 * The event the single venue of schema versions 1–3 became (the id the service's default event
 * has, `DEFAULT_EVENT_ID`; spelled here too so a released migration never changes with the code).
 */
const DEFAULT_EVENT = 'default';

/** Summary counters are spread over this many rows so concurrent writers rarely queue on one. */
export const COUNT_SHARDS = 16;

/**
 * Counters are also kept per block of this many seats (`idx / COUNT_BLOCK`), so a page of
 * available seats can skip the blocks that are full without reading their seats. Part of the
 * schema: the counter rows are keyed by it, so changing it takes a migration that recounts.
 */
export const COUNT_BLOCK = 2048;

/**
 * The schema, one step per version. A step runs once, in order, inside the start-up transaction;
 * never edit a released step, add one.
 *
 * Only seats that left the machine's initial state have a row (like the in-memory store's virtual
 * actors), so a venue of any size is seeded in constant time. `state` and `locked_until` repeat
 * what the snapshot says, for indexes (lists by state, the sweeper's due locks); the machine's rules
 * live only in the machine. `holder` likewise repeats the lock's user, for the per-user cap.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE seat (
     idx integer PRIMARY KEY,
     state text NOT NULL,
     snapshot jsonb NOT NULL,
     version integer NOT NULL,
     locked_until bigint
   );
   CREATE INDEX seat_state_idx ON seat (state, idx);
   CREATE INDEX seat_locked_until ON seat (locked_until) WHERE locked_until IS NOT NULL;
   CREATE TABLE seat_count (
     shard integer PRIMARY KEY,
     locked bigint NOT NULL DEFAULT 0,
     booked bigint NOT NULL DEFAULT 0
   );
   INSERT INTO seat_count (shard) SELECT generate_series(0, ${COUNT_SHARDS - 1});`,
  // The lock holder, repeated from the snapshot like `locked_until`, so the per-user lock cap can
  // read a user's live locks through an index (PostgresLockQuota).
  `ALTER TABLE seat ADD COLUMN holder text;
   UPDATE seat SET holder = snapshot #>> '{context,lock,userId}' WHERE locked_until IS NOT NULL;
   CREATE INDEX seat_holder ON seat (holder, locked_until) WHERE holder IS NOT NULL;`,
  // Which client address took each lock, for the per-client lock cap (PostgresClientLockQuota):
  // a row counts only while its seat still holds that lock, and is pruned after its deadline.
  `CREATE TABLE IF NOT EXISTS client_lock (
     idx integer NOT NULL,
     lock_id text NOT NULL,
     client text NOT NULL,
     until bigint NOT NULL,
     PRIMARY KEY (idx, lock_id)
   );
   CREATE INDEX IF NOT EXISTS client_lock_client ON client_lock (client);
   CREATE INDEX IF NOT EXISTS client_lock_until ON client_lock (until);`,
  // Keys the service generates once for every instance (the guest session signing key when
  // SESSION_SECRET is unset), by name; see PostgresSeatStore.sessionKey.
  `CREATE TABLE IF NOT EXISTS service_key (
     name text PRIMARY KEY,
     secret text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   );`,
  // Events. Every seat, counter and client-lock row is keyed by its event, and every statement
  // and transaction of a request touches one event only, so distributing these tables by
  // `event_id` later (Citus) needs no change. The single venue of earlier versions becomes the
  // default event ('default', DEFAULT_EVENT_ID) with every row as it was: adding a column with a
  // constant default rewrites nothing. Counter rows of other events are made by their first
  // write (an idle event has none). `event` holds each event's definition and its sales
  // machine's snapshot (`version`: the compare-and-set's).
  `CREATE TABLE event (
     id text PRIMARY KEY,
     name text NOT NULL,
     starts_at bigint,
     lock_ttl_ms integer NOT NULL,
     layout jsonb NOT NULL,
     sales jsonb NOT NULL,
     version integer NOT NULL
   );
   ALTER TABLE seat ADD COLUMN event_id text NOT NULL DEFAULT '${DEFAULT_EVENT}';
   ALTER TABLE seat ALTER COLUMN event_id DROP DEFAULT;
   ALTER TABLE seat DROP CONSTRAINT seat_pkey, ADD PRIMARY KEY (event_id, idx);
   DROP INDEX seat_state_idx;
   CREATE INDEX seat_state_idx ON seat (event_id, state, idx);
   DROP INDEX seat_holder;
   CREATE INDEX seat_holder ON seat (event_id, holder, locked_until) WHERE holder IS NOT NULL;
   CREATE INDEX seat_event_locked_until ON seat (event_id, locked_until)
     WHERE locked_until IS NOT NULL;
   ALTER TABLE seat_count ADD COLUMN event_id text NOT NULL DEFAULT '${DEFAULT_EVENT}';
   ALTER TABLE seat_count ALTER COLUMN event_id DROP DEFAULT;
   ALTER TABLE seat_count DROP CONSTRAINT seat_count_pkey, ADD PRIMARY KEY (event_id, shard);
   ALTER TABLE client_lock ADD COLUMN event_id text NOT NULL DEFAULT '${DEFAULT_EVENT}';
   ALTER TABLE client_lock ALTER COLUMN event_id DROP DEFAULT;
   ALTER TABLE client_lock DROP CONSTRAINT client_lock_pkey,
     ADD PRIMARY KEY (event_id, idx, lock_id);
   DROP INDEX client_lock_client;
   CREATE INDEX client_lock_client ON client_lock (event_id, client);
   DROP INDEX client_lock_until;
   CREATE INDEX client_lock_until ON client_lock (event_id, until);`,
  // Multi-seat holds: each hold machine's snapshot (PostgresHoldStore), written in the same
  // transaction as its seats' rows. `owner`, `state` and `until` repeat the snapshot, for reading.
  `CREATE TABLE IF NOT EXISTS hold (
     event_id text NOT NULL,
     id text NOT NULL,
     owner text NOT NULL,
     state text NOT NULL,
     snapshot jsonb NOT NULL,
     until bigint NOT NULL,
     PRIMARY KEY (event_id, id)
   );`,
  // A user's bookings by index, for GET /me/seats (their locks are found by seat_holder).
  `CREATE INDEX IF NOT EXISTS seat_booker
     ON seat (event_id, (snapshot #>> '{context,booking,userId}')) WHERE state = 'booked';`,
  // Counters per block of seats as well as per shard (SeatReader's available pages skip full
  // blocks): each seat write adjusts its (block, shard) row; the summary sums them all. The
  // counters until now counted seats of any block, so they are counted again from the rows
  // (the counters count rows by their \`state\` column, so the recount is what they said).
  `ALTER TABLE seat_count ADD COLUMN block integer NOT NULL DEFAULT 0;
   ALTER TABLE seat_count ALTER COLUMN block DROP DEFAULT;
   ALTER TABLE seat_count DROP CONSTRAINT seat_count_pkey, ADD PRIMARY KEY (event_id, block, shard);
   DELETE FROM seat_count;
   INSERT INTO seat_count (event_id, block, shard, locked, booked)
     SELECT event_id, idx / ${COUNT_BLOCK}, idx % ${COUNT_SHARDS},
       count(*) FILTER (WHERE state = 'locked'), count(*) FILTER (WHERE state = 'booked')
     FROM seat WHERE state IN ('locked', 'booked') GROUP BY 1, 2, 3;`,
  // A version per user and event, bumped by every transaction that lets the user take a lock
  // under the per-user cap (PipelinedLock, PostgresLockQuota): a lock decided on a user's cached
  // locks writes only while the version is still the cached one. Its row lock also makes one
  // user's cap checks take turns. No row: the user never took a lock under the cap here.
  `CREATE TABLE IF NOT EXISTS user_locks (
     event_id text NOT NULL,
     user_id text NOT NULL,
     version integer NOT NULL,
     PRIMARY KEY (event_id, user_id)
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database holds another venue, or a newer schema: the instance must not start on it. */
export class VenueMismatchError extends Error {
  override name = 'VenueMismatchError';
}

/**
 * Creates or migrates the schema and seeds the venue, idempotently: any number of instances may
 * start at once (an advisory lock makes them take turns). A database already seeded with a
 * different venue is refused with a {@link VenueMismatchError}, never merged.
 *
 * @example
 * ```ts
 * await migrate(pool, { rows: 10, seatsPerRow: 10, ttlMs: 60_000 });
 * ```
 */
export async function migrate(pool: Pool, venue: VenueSettings): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('seat-booking-service schema'))`);
    await client.query(`CREATE TABLE IF NOT EXISTS seat_meta (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      schema_version integer NOT NULL,
      rows integer NOT NULL,
      seats_per_row integer NOT NULL,
      lock_ttl_ms integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    const seeded = await readVenue(client);
    const from = seeded?.schemaVersion ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new VenueMismatchError(
        `The database has schema version ${from}, newer than this service's ${SCHEMA_VERSION}; ` +
          'run the newer version of the service, or use another database.',
      );
    }
    if (seeded) checkVenue(seeded, venue);
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version - 1]);
    }
    if (seeded) {
      await client.query('UPDATE seat_meta SET schema_version = $1', [SCHEMA_VERSION]);
    } else {
      await client.query(
        'INSERT INTO seat_meta (schema_version, rows, seats_per_row, lock_ttl_ms) VALUES ($1, $2, $3, $4)',
        [SCHEMA_VERSION, venue.rows, venue.seatsPerRow, venue.ttlMs],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function readVenue(
  client: PoolClient,
): Promise<(VenueSettings & { schemaVersion: number }) | undefined> {
  const { rows } = await client.query<{
    schema_version: number;
    rows: number;
    seats_per_row: number;
    lock_ttl_ms: number;
  }>('SELECT schema_version, rows, seats_per_row, lock_ttl_ms FROM seat_meta');
  const row = rows[0];
  return (
    row && {
      schemaVersion: row.schema_version,
      rows: row.rows,
      seatsPerRow: row.seats_per_row,
      ttlMs: row.lock_ttl_ms,
    }
  );
}

/** Seats already in the database were made for the seeded venue and TTL: a change is refused. */
function checkVenue(seeded: VenueSettings, wanted: VenueSettings): void {
  if (
    seeded.rows === wanted.rows &&
    seeded.seatsPerRow === wanted.seatsPerRow &&
    seeded.ttlMs === wanted.ttlMs
  ) {
    return;
  }
  throw new VenueMismatchError(
    `The database already holds a venue of ${describe(seeded)}, but this instance is configured ` +
      `for ${describe(wanted)}. Start it with SEAT_ROWS=${seeded.rows} SEATS_PER_ROW=${seeded.seatsPerRow} ` +
      `LOCK_TTL_MS=${seeded.ttlMs}, or point DATABASE_URL at a fresh database for the new venue.`,
  );
}

function describe({ rows, seatsPerRow, ttlMs }: VenueSettings): string {
  return `${rows} rows × ${seatsPerRow} seats with a lock TTL of ${ttlMs} ms`;
}
