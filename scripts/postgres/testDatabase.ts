import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../freePort';
import { aptInstall } from '../aptInstall';

const run = promisify(execFile);

/** A PostgreSQL server the tests may create databases on, and where it came from. */
interface TestServer {
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

/**
 * Starts a throwaway PostgreSQL in a temporary directory on a free port, with durability off
 * (tests crash the service, never the database), and stops and deletes it when the process exits.
 */
async function startDisposable(): Promise<TestServer> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'no initdb/pg_ctl found, and apt-get could not install them (install PostgreSQL, e.g. apt-get install postgresql, or set PG_BIN)',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'seats-pg-'));
  // Root cannot run postgres: the cluster belongs to, and runs as, user nobody.
  const runAs = asRoot ? ['runuser', '-u', 'nobody', '--'] : [];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'nobody']).toString());
    const gid = Number(execFileSync('id', ['-g', 'nobody']).toString());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const exec = (tool: string, args: string[]) => {
    const [command, ...prefix] = [...runAs, join(bin, tool)];
    return run(command, [...prefix, ...args], { cwd: dir });
  };
  const stop = () => {
    const [command, ...prefix] = [...runAs, join(bin, 'pg_ctl')];
    spawnSync(command, [...prefix, '-D', data, '-m', 'immediate', 'stop'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-o',
      settings,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    process.once('exit', stop);
    const user = asRoot ? 'nobody' : userInfo().username;
    return {
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      source: `disposable server started by this process (initdb/pg_ctl from ${bin}, run as ${user}, in ${dir})`,
    };
  } catch (err) {
    stop();
    const stderr = (err as { stderr?: string }).stderr;
    throw new Error(`${(err as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: err });
  }
}

/**
 * Where initdb and pg_ctl are: `PG_BIN` when set, else the newest of Debian's
 * /usr/lib/postgresql/<v>/bin, else the PATH's; on a machine with none of them, Debian's
 * `postgresql` is installed first when we are root (its own cluster is not used).
 */
function findPostgresBin(): string | undefined {
  if (process.env.PG_BIN) return findInstalledBin();
  return findInstalledBin() ?? (aptInstall(['postgresql']) ? findInstalledBin() : undefined);
}

function findInstalledBin(): string | undefined {
  if (process.env.PG_BIN) {
    return existsSync(join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : undefined;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = found.stdout.trim();
  return found.status === 0 && initdb ? join(initdb, '..') : undefined;
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
