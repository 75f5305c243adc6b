import { Client } from 'pg';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../src/clock';
import {
  PostgresSeatStore,
  type PostgresSeatStoreOptions,
} from '../../src/store/postgres/PostgresSeatStore';
import { COUNT_BLOCK, COUNT_SHARDS } from '../../src/store/postgres/schema';
import { Venue } from '../../src/venue';
import {
  createDatabaseOn,
  createTestDatabase,
  type TestDatabase,
} from '../../scripts/postgres/testDatabase';

export { createDatabaseOn, createTestDatabase, type TestDatabase };

/**
 * Mocha hooks giving a suite its own database: `db()` returns it inside tests. Without any
 * PostgreSQL the suite is skipped with the reason printed.
 *
 * @example
 * ```ts
 * describe('on PostgreSQL', () => {
 *   const db = usePostgres();
 *   it('…', () => connect(db().url));
 * });
 * ```
 */
export function usePostgres(): () => TestDatabase {
  let database: TestDatabase | undefined;
  before(async function () {
    this.timeout(60_000);
    const result = await createTestDatabase();
    if (typeof result === 'string') {
      console.log(`      (skipped: no PostgreSQL for tests: ${result})`);
      this.skip();
    }
    database = result;
  });
  after(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('usePostgres(): no database (the suite should have skipped)');
    return database;
  };
}

/**
 * Empties the database at `url` (its schema dropped and made again), so the next store opened on
 * it starts from nothing: how contract cases each get an empty database without making one.
 *
 * @example
 * ```ts
 * await emptyDatabase(db().url);
 * ```
 */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}

/**
 * Mocha hooks for suites that open PostgresSeatStores on a database of their own: `open` opens a
 * store (a 2 × 10 venue, locks of 60 s, the suite's simulated `clock`, no sweeper (swept by hand),
 * a pool of 4, unless `options` say otherwise); every store, and whatever `onClose` is given, is
 * closed after the suite in reverse order, before the database is dropped.
 *
 * @example
 * ```ts
 * const { clock, open } = usePostgresStores();
 * it('…', async () => (await open()).apply('A1', lockEvent(clock.now())));
 * ```
 */
export function usePostgresStores() {
  const clock = new SimulatedClock() as SimulatedClock & Clock;
  const closing: Array<() => Promise<void>> = [];
  // Registered before usePostgres() so everything closes before the database is dropped.
  after(async () => {
    for (const close of closing.reverse()) await close();
  });
  const db = usePostgres();
  return {
    clock,
    db,
    /** Closes `close` after the suite, before the stores opened earlier. */
    onClose: (close: () => Promise<void>) => closing.push(close),
    open: async (options: Partial<PostgresSeatStoreOptions> = {}) => {
      const store = await PostgresSeatStore.open({
        connectionString: db().url,
        venue: new Venue(2, 10),
        ttlMs: 60_000,
        clock,
        sweepIntervalMs: 0,
        poolSize: 4,
        ...options,
      });
      closing.push(() => store.close());
      return store;
    },
  };
}

/**
 * The database's seat counter rows that are not zero, and what a recount of the seat rows says
 * they should be (per event, block and shard): the two must always be equal.
 *
 * @example
 * ```ts
 * const { kept, recount } = await countersAndRecount(db().url);
 * expect(kept).to.deep.equal(recount);
 * ```
 */
export async function countersAndRecount(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const order = 'ORDER BY event_id, block, shard';
    const kept = await client.query(
      `SELECT event_id, block, shard, locked::integer, booked::integer FROM seat_count
       WHERE locked <> 0 OR booked <> 0 ${order}`,
    );
    const recount = await client.query(
      `SELECT event_id, idx / ${COUNT_BLOCK} AS block, idx % ${COUNT_SHARDS} AS shard,
         (count(*) FILTER (WHERE state = 'locked'))::integer AS locked,
         (count(*) FILTER (WHERE state = 'booked'))::integer AS booked
       FROM seat WHERE state IN ('locked', 'booked') GROUP BY 1, 2, 3 ${order}`,
    );
    return { kept: kept.rows, recount: recount.rows };
  } finally {
    await client.end();
  }
}
