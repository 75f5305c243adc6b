import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Client } from 'pg';
import { useOwnPostgres } from '../support/ownPostgres';
import { apiClient, ok } from '../support/api';
import { waitFor } from '../support/waitFor';
import { chaosSeed, describeOutcome, explainReport, runUnderFault } from './faultRun';
import { CHAOS_TTL_MS, ROW_A, useServiceInstances } from './serviceInstances';
import { expectSurvived } from './expectSurvived';

describe('Fault: PostgreSQL crashes and restarts under load (two instances)', function () {
  this.timeout(240_000);
  const pg = useOwnPostgres();
  const instances = useServiceInstances(2, () => pg().db.url);

  it('answers 503 STORE_UNAVAILABLE with Retry-After while it is down, loses nothing acknowledged, stays linearizable, is ready again and resyncs its event streams', async () => {
    const seed = chaosSeed();
    let dueLock: { expiresAt: string } | undefined;
    const outcome = await runUnderFault({
      instances,
      seats: ROW_A,
      ttlMs: CHAOS_TTL_MS,
      seed,
      fault: async () => {
        // A lock that falls due while the database is down: it must expire once it is back.
        const api = apiClient(instances()[0].url);
        dueLock = ok(await api.lock('B1', 'due'));
        api.close();
        await pg().server.crash();
        await sleep(2500);
        await pg().server.resume();
      },
    });
    console.log(`      ${describeOutcome('restart', outcome)}`);
    expect(outcome.report.ok, explainReport(seed, outcome.report)).to.equal(true);
    expectSurvived(outcome);
    expect(outcome.wentUnready, '/readyz said 503 while the database was down').to.equal(true);
    expect(
      outcome.resyncs.every((n) => n >= 1),
      'every stream got a resync',
    ).to.equal(true);
    expect(Date.parse(dueLock!.expiresAt)).to.be.lessThan(Date.now());
    // The sweeper wrote the expiry down (reads alone would show it available anyway).
    await waitFor(async () => (await storedState(pg().db.url, 8)) === 'available', {
      what: 'the lock due during the outage to be expired in the database',
    });
  });
});

/** The `state` column of the seat at `idx` (B1 is 8 in a 2 × 8 venue), as written. */
async function storedState(url: string, idx: number): Promise<string | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string }>(
      'SELECT state FROM seat WHERE idx = $1',
      [idx],
    );
    return rows[0]?.state;
  } finally {
    await client.end();
  }
}
