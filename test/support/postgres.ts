import { Client } from 'pg';
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
