import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { LatencyProxy } from '../support/LatencyProxy';
import { useOwnPostgres } from '../support/ownPostgres';
import { expectSurvived } from './expectSurvived';
import { chaosSeed, describeOutcome, explainReport, runUnderFault } from './faultRun';
import { CHAOS_TTL_MS, ROW_A, useServiceInstances } from './serviceInstances';

/** Each request's bound on its database work (the instances' PG_STATEMENT_TIMEOUT_MS). */
const STATEMENT_TIMEOUT_MS = 1000;

describe('Fault: a slow database (a proxy adding latency) under load (two instances)', function () {
  this.timeout(240_000);
  const pg = useOwnPostgres();
  let proxy: LatencyProxy;
  before(async () => {
    proxy = await LatencyProxy.start({ host: '127.0.0.1', port: pg().server.port });
  });
  after(() => proxy?.close());
  const instances = useServiceInstances(
    2,
    () => proxy.via(pg().db.url),
    () => ({ PG_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) }),
  );

  it('answers within its bound (503 STORE_UNAVAILABLE with Retry-After when the database is too slow), reports may-have-committed writes as unknown, stays linearizable', async () => {
    const seed = chaosSeed();
    const outcome = await runUnderFault({
      instances,
      seats: ROW_A,
      ttlMs: CHAOS_TTL_MS,
      seed,
      // Each statement of a request is bounded (connection 2 s, statement 1 s + 0.5 s read margin),
      // and a request runs at most three: a client still waiting after 12 s counts as a hang.
      requestTimeoutMs: 12_000,
      fault: async () => {
        proxy.delayMs = 50; // slow but served
        await sleep(1500);
        proxy.delayMs = STATEMENT_TIMEOUT_MS; // slower than the bound: answers are 503s
        await sleep(2500);
        proxy.delayMs = 0;
      },
    });
    console.log(`      ${describeOutcome('slow database', outcome)}`);
    expect(outcome.report.ok, explainReport(seed, outcome.report)).to.equal(true);
    expectSurvived(outcome);
    expect(
      outcome.stats.problems['503 STORE_UNAVAILABLE'] ?? 0,
      '503s past the bound',
    ).to.be.greaterThan(0);
  });
});
