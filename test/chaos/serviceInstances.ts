import { startServerProcess, type ServerProcess } from '../support/serverProcess';

/** What the fault runs use: short locks so expiries race confirms, sweeps every 20 ms. */
export const CHAOS_TTL_MS = 300;

/** The pools' `application_name`, which the connection killer looks for. */
export const APPLICATION_NAME = 'seat-booking-service';

/**
 * The environment of a service instance on `databaseUrl` for a fault run: a 2 × 8 venue, no rate
 * limit and no per-user cap (the checker needs every request to reach its seat).
 */
export function chaosEnv(databaseUrl: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: databaseUrl,
    LOCK_TTL_MS: String(CHAOS_TTL_MS),
    SWEEP_INTERVAL_MS: '20',
    SEAT_ROWS: '2',
    SEATS_PER_ROW: '8',
    RATE_LIMIT_PER_MINUTE: '0',
    MAX_LOCKS_PER_USER: '0',
    ...extra,
  };
}

/**
 * Mocha hooks running `count` service processes (`src/process/server.ts`, one worker each) on the
 * database `databaseUrl()` gives, with `extra` environment for instance i; stopped after the suite.
 *
 * @example
 * ```ts
 * const instances = useServiceInstances(2, () => pg().db.url);
 * it('…', () => instances()[0].url);
 * ```
 */
export function useServiceInstances(
  count: number,
  databaseUrl: () => string,
  extra: (i: number) => Record<string, string> = () => ({}),
  preload: (i: number) => string[] = () => [],
): () => ServerProcess[] {
  const instances: ServerProcess[] = [];
  before(async function () {
    this.timeout(120_000);
    instances.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) =>
          startServerProcess(chaosEnv(databaseUrl(), extra(i)), { preload: preload(i) }),
        ),
      )),
    );
  });
  after(async () => {
    await Promise.all(instances.map((instance) => instance.kill('SIGTERM')));
  });
  return () => instances;
}

/** The 16 seats of the chaos venue's two rows. */
export const ROW_A = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
export const ROW_B = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'];
