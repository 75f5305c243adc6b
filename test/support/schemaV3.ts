import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** The time the v3 fixture's locks were taken at (see its header). */
export const V3_T0 = 1_700_000_000_000;

/**
 * Loads test/store/postgres/fixtures/schemaV3.sql, a database written by the store of schema
 * version 3 (before events), into the empty database at `url`; `then` runs further SQL after it,
 * e.g. to take it back to an older version still.
 *
 * @example
 * ```ts
 * await loadSchemaV3(db.url);
 * const store = await PostgresSeatStore.open({ connectionString: db.url, venue: new Venue(4, 5), ttlMs: 60_000 });
 * ```
 */
export async function loadSchemaV3(url: string, then = ''): Promise<void> {
  const dump = readFileSync(join(__dirname, '../store/postgres/fixtures/schemaV3.sql'), 'utf8');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(dump + then);
  } finally {
    await client.end();
  }
}
