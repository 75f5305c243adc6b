import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DisposableServer } from './DisposableServer';

/** A PostgreSQL server the tests may create databases on, and where it came from. */
export interface TestServer {
  /** Connection string of a database on it that we may run CREATE DATABASE from. */
  adminUrl: string;
  /** Human words for the log: which server this is. */
  source: string;
}

/** A fresh database for one test file; `drop()` removes it. */
export interface TestDatabase {
  url: string;
  name: string;
  /** Which server it is on, in words (local, configured, disposable). */
  source: string;
  drop(): Promise<void>;
}

let server: Promise<TestServer | { unavailable: string }> | undefined;

/**
 * Creates a fresh database (`<prefix>_<random>`, by default `seats_test_…`) for one test file (or
 * one bench target: `bench/run.ts` uses it too), on the first PostgreSQL it
 * can use: `TEST_DATABASE_URL` or `DATABASE_URL` when set, else the developers' and CI's server on
 * 127.0.0.1:5432 (database `test`), else a disposable server it starts itself from the system's
 * `initdb`/`pg_ctl` (as user `nobody` when run as root, since root cannot run postgres), stopped
 * when the test process exits. `PG_TEST_FORCE_DISPOSABLE=1` skips the first two, to try what a
 * fresh machine does. Resolves to a reason string when no PostgreSQL can be had at all.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase();
 * if (typeof db === 'string') this.skip();
 * ```
 */
export async function createTestDatabase(prefix = 'seats_test'): Promise<TestDatabase | string> {
  server ??= findServer();
  const found = await server;
  if ('unavailable' in found) return found.unavailable;
  return createDatabaseOn(found, prefix);
}

/**
 * Creates a fresh database on the server at `adminUrl` (e.g. a {@link DisposableServer} a fault
 * test owns).
 *
 * @example
 * ```ts
 * const db = await createDatabaseOn({ adminUrl: server.adminUrl, source: 'own server' });
 * ```
 */
export async function createDatabaseOn(
  found: TestServer,
  prefix = 'seats_test',
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(found.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    source: found.source,
    url: withDatabase(found.adminUrl, name),
    drop: () =>
      withClient(found.adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

async function findServer(): Promise<TestServer | { unavailable: string }> {
  const forceDisposable = process.env.PG_TEST_FORCE_DISPOSABLE === '1';
  const configured = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  const candidates: TestServer[] = [];
  if (configured && !forceDisposable) {
    candidates.push({ adminUrl: configured, source: 'TEST_DATABASE_URL/DATABASE_URL' });
  }
  if (!forceDisposable) {
    // pg takes the user name from PGUSER or USER, which a CI shell may not set.
    for (const user of new Set([process.env.PGUSER || userInfo().username, 'postgres'])) {
      const adminUrl = `postgres://${encodeURIComponent(user)}@127.0.0.1:5432/test`;
      candidates.push({ adminUrl, source: 'local server on 127.0.0.1:5432' });
    }
  }
  for (const candidate of candidates) {
    if (await reachable(candidate.adminUrl)) return announce(candidate);
  }
  try {
    return announce(await startDisposable());
  } catch (err) {
    return { unavailable: `none reachable and no disposable server: ${(err as Error).message}` };
  }
}

function announce(found: TestServer): TestServer {
  console.log(`  PostgreSQL for tests and bench: ${found.source} (${redact(found.adminUrl)})`);
  return found;
}

async function reachable(url: string): Promise<boolean> {
  try {
    await withClient(url, (client) => client.query('SELECT 1'), 2000);
    return true;
  } catch {
    return false;
  }
}

/** The fallback: a disposable server of this process, stopped and deleted when it exits. */
async function startDisposable(): Promise<TestServer> {
  const disposable = await DisposableServer.start({ synchronousCommit: false });
  return {
    adminUrl: disposable.adminUrl,
    source: `disposable server started by this process (${disposable.description})`,
  };
}

async function withClient<T>(
  url: string,
  work: (client: Client) => Promise<T>,
  connectionTimeoutMillis = 10_000,
): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The same server, another database. */
function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
