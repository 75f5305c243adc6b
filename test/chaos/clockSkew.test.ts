import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { useOwnPostgres } from '../support/ownPostgres';
import { expectSurvived } from './expectSurvived';
import { chaosSeed, describeOutcome, explainReport, runUnderFault } from './faultRun';
import { CHAOS_TTL_MS, ROW_A, useServiceInstances } from './serviceInstances';

/** How wrong instance 1's wall clock is (ms): many lock TTLs. */
const SKEW_MS = 3000;

describe('Fault: two instances whose clocks differ by seconds', function () {
  this.timeout(240_000);
  const pg = useOwnPostgres();
  const instances = useServiceInstances(
    2,
    () => pg().db.url,
    (i): Record<string, string> => (i === 1 ? { SKEW_CLOCK_MS: String(SKEW_MS) } : {}),
    (i) => (i === 1 ? [join(__dirname, '..', 'support', 'skewClock.ts')] : []),
  );

  it('neither cuts a lock short nor stretches it: the checker, on the real clock, finds every history linearizable', async () => {
    const seed = chaosSeed();
    const outcome = await runUnderFault({
      instances,
      seats: ROW_A,
      ttlMs: CHAOS_TTL_MS,
      seed,
      fault: () => sleep(4000), // the skew is the fault: it lasts the whole run
    });
    console.log(`      ${describeOutcome(`instance 1 ${SKEW_MS} ms ahead`, outcome)}`);
    expect(outcome.report.ok, explainReport(seed, outcome.report)).to.equal(true);
    expectSurvived(outcome);
  });
});
