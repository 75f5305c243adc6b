import { expect } from 'chai';
import type { AppOptions } from '../../src/app';
import { PostgresSeatStore } from '../../src/store/postgres/PostgresSeatStore';
import { checkHolds, type HoldCheckReport } from '../../src/verify/checkHolds';
import { runHoldLoad, type HoldLoad } from '../../src/verify/runHoldLoad';
import { Venue } from '../../src/venue';
import { CheckThenActSeatStore } from '../support/CheckThenActSeatStore';
import { usePostgres } from '../support/postgres';
import { serve } from '../support/serve';

const SEATS = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'];
const TTL = 150;

/** `CHECK_SEED=n` replays seed n; otherwise a fresh one per run. */
const seed = process.env.CHECK_SEED ? Number(process.env.CHECK_SEED) : Date.now() % 1_000_000;

async function record(options: AppOptions, runSeed = seed): Promise<HoldLoad> {
  // AUTH=off: the load names its users in bodies and queries; no cap gets in the way of collisions.
  const served = await serve({ openAuth: true, maxLocksPerUser: 0, lockTtlMs: TTL, ...options });
  try {
    return await runHoldLoad({
      baseUrl: served.url,
      clients: 24,
      seats: SEATS,
      users: 6,
      seed: runSeed,
      operationsPerClient: 16,
      maxPauseMs: Math.round(TTL * 0.75),
      readSeats: async () => (await served.store.list({ limit: 100 })).seats,
      now: () => (served.store.clock ?? { now: Date.now }).now(),
    });
  } finally {
    await served.stop();
  }
}

function explain(report: HoldCheckReport, load: HoldLoad): string {
  return `CHECK_SEED=${seed}: ${report.violations.slice(0, 10).join('\n')}\nanswers: ${JSON.stringify(load.answers)}`;
}

describe('Multi-seat holds under random concurrent load (history checker)', function () {
  this.timeout(60_000);

  it(`never half makes, half books or double-owns a hold (memory, seed ${seed})`, async () => {
    const load = await record({ rows: 1, seatsPerRow: SEATS.length });
    const report = checkHolds(load.attempts, load.snapshots);
    expect(report.ok, explain(report, load)).to.equal(true);
    expect(report.holds, 'holds were made').to.be.greaterThan(0);
    expect(load.answers['hold 409 SEATS_UNAVAILABLE'] ?? 0, 'holds collided').to.be.greaterThan(0);
    expect(report.heldSeatsSeen, 'reads saw held seats').to.be.greaterThan(0);
    console.log(
      `      ${report.holds} holds, ${report.snapshots} reads, answers ${JSON.stringify(load.answers)}`,
    );
  });

  describe('on PostgreSQL', () => {
    const db = usePostgres();
    it(`never half makes, half books or double-owns a hold (seed ${seed})`, async () => {
      const store = await PostgresSeatStore.open({
        connectionString: db().url,
        venue: new Venue(1, SEATS.length),
        ttlMs: TTL,
        sweepIntervalMs: 20,
        poolSize: 8,
      });
      const load = await record({ store });
      const report = checkHolds(load.attempts, load.snapshots);
      expect(report.ok, explain(report, load)).to.equal(true);
      expect(report.holds, 'holds were made').to.be.greaterThan(0);
      console.log(
        `      ${report.holds} holds, ${report.snapshots} reads, answers ${JSON.stringify(load.answers)}`,
      );
    });
  });

  it('catches a planted non-atomic host (seats held one by one, a refusal leaves the others held)', async () => {
    let caught: HoldCheckReport | undefined;
    for (const attempt of [1, 2, 3]) {
      const store = new CheckThenActSeatStore(new Venue(1, SEATS.length), TTL);
      const load = await record({ store }, attempt);
      const report = checkHolds(load.attempts, load.snapshots);
      if (!report.ok) {
        caught = report;
        break;
      }
    }
    expect(caught, 'the planted host was not caught').to.not.equal(undefined);
    console.log(`      caught: ${caught!.violations[0]}`);
  });
});
