import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { useOwnPostgres } from '../support/ownPostgres';
import { terminateBackends } from '../support/terminateBackends';
import { expectSurvived } from './expectSurvived';
import { chaosSeed, describeOutcome, explainReport, runUnderFault } from './faultRun';
import { APPLICATION_NAME, CHAOS_TTL_MS, ROW_A, useServiceInstances } from './serviceInstances';

describe('Fault: the service’s database connections are killed again and again under load (two instances)', function () {
  this.timeout(240_000);
  const pg = useOwnPostgres();
  const instances = useServiceInstances(2, () => pg().db.url);

  it('never crashes an instance, answers 200/409 or 503 STORE_UNAVAILABLE with Retry-After, loses nothing acknowledged, stays linearizable and resyncs its event streams', async () => {
    const seed = chaosSeed();
    let killed = 0;
    const outcome = await runUnderFault({
      instances,
      seats: ROW_A,
      ttlMs: CHAOS_TTL_MS,
      seed,
      fault: async () => {
        for (let round = 0; round < 10; round++) {
          killed += await terminateBackends(pg().server.adminUrl, APPLICATION_NAME);
          await sleep(300);
        }
      },
    });
    console.log(`      ${describeOutcome(`${killed} connections killed`, outcome)}`);
    expect(killed, 'connections killed').to.be.greaterThan(10);
    expect(outcome.report.ok, explainReport(seed, outcome.report)).to.equal(true);
    expectSurvived(outcome);
    expect(
      outcome.resyncs.every((n) => n >= 1),
      'every stream got a resync',
    ).to.equal(true);
  });
});
