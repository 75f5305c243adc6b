import { DisposableServer } from '../../scripts/postgres/DisposableServer';
import { createDatabaseOn, type TestDatabase } from './postgres';

/** A PostgreSQL server a test owns (it may crash it), with one database on it. */
export interface OwnPostgres {
  server: DisposableServer;
  db: TestDatabase;
}

/**
 * Mocha hooks giving a suite a PostgreSQL server of its own (a {@link DisposableServer}: initdb and
 * pg_ctl, a temporary directory, a free port) and a database on it, so it may crash and restart
 * the server without touching anyone else's. Skipped, saying why, when no server can be started.
 *
 * @example
 * ```ts
 * const pg = useOwnPostgres();
 * it('survives a crash', async () => { await pg().server.crash(); await pg().server.resume(); });
 * ```
 */
export function useOwnPostgres(): () => OwnPostgres {
  let own: OwnPostgres | undefined;
  before(async function () {
    this.timeout(120_000);
    let server: DisposableServer;
    try {
      server = await DisposableServer.start();
    } catch (err) {
      console.log(
        `      (skipped: cannot start a PostgreSQL of our own: ${(err as Error).message})`,
      );
      this.skip();
    }
    const db = await createDatabaseOn({ adminUrl: server!.adminUrl, source: 'own server' });
    own = { server: server!, db };
  });
  after(async () => {
    await own?.server.destroy();
  });
  return () => {
    if (!own) throw new Error('useOwnPostgres(): no server (the suite should have skipped)');
    return own;
  };
}
