import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { LatencyProxy } from '../support/LatencyProxy';
import { useOwnPostgres } from '../support/ownPostgres';
import { expectSurvived } from './expectSurvived';
import { chaosSeed, describeOutcome, explainReport, runUnderFault } from './faultRun';
import { CHAOS_TTL_MS, ROW_A, ROW_B, useServiceInstances } from './serviceInstances';

/** Connections of the instance, and requests allowed to wait for one. */
const POOL = 2;
const QUEUE = 4;
const CLIENTS = 60;

/** The instance's resident memory, from its own `/metrics`. */
async function rssBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('Fault: more concurrent requests than the pool can serve', function () {
  this.timeout(240_000);
  const pg = useOwnPostgres();
  let proxy: LatencyProxy;
  before(async () => {
    proxy = await LatencyProxy.start({ host: '127.0.0.1', port: pg().server.port });
    proxy.delayMs = 5; // each statement ≥ 10 ms: 2 connections serve ≈ 200 statements a second
  });
  after(() => proxy?.close());
  const instances = useServiceInstances(
    1,
    () => proxy.via(pg().db.url),
    () => ({ PG_POOL_SIZE: String(POOL), PG_QUEUE_LIMIT: String(QUEUE) }),
  );

  it('sheds what it cannot queue with 503 STORE_UNAVAILABLE (not-applied) and Retry-After, keeps its memory flat, and loses nothing accepted', async () => {
    const seed = chaosSeed();
    const url = instances()[0].url;
    const rssBefore = await rssBytes(url);
    const outcome = await runUnderFault({
      instances,
      seats: [...ROW_A, ...ROW_B],
      ttlMs: CHAOS_TTL_MS,
      seed,
      clients: CLIENTS,
      users: 30,
      maxPauseMs: 5,
      warmupMs: 500,
      cooldownMs: 0,
      loadIsTheFault: true,
      fault: () => sleep(3000),
    });
    const rssAfter = await rssBytes(url);
    const served = outcome.stats.history
      .operations()
      .filter((op) => op.outcome !== null && op.kind !== 'get')
      .map((op) => op.returnedAt - op.invokedAt)
      .sort((a, b) => a - b);
    const p99 = served[Math.floor(served.length * 0.99)];
    console.log(
      `      ${describeOutcome(`${CLIENTS} clients on ${POOL} connections + ${QUEUE} waiting`, outcome)}; ` +
        `served p99 ${p99} ms; RSS ${(rssBefore / 1e6).toFixed(0)} → ${(rssAfter / 1e6).toFixed(0)} MB`,
    );
    expect(outcome.report.ok, explainReport(seed, outcome.report)).to.equal(true);
    expectSurvived(outcome);
    expect(outcome.stats.problems['503 STORE_UNAVAILABLE'] ?? 0, 'requests shed').to.be.greaterThan(
      0,
    );
    // p99 is printed, not asserted: it measures the machine as much as the service (npm run bench
    // is where speed is judged). Memory is a bound: the shed requests cost nothing that stays.
    expect(rssAfter - rssBefore, 'RSS growth (bytes)').to.be.lessThan(100e6);
  });
});
