import { expect } from 'chai';
import type { AppOptions } from '../../src/app';
import { checkLinearizable, type CheckReport } from '../../src/verify/checkLinearizable';
import { runRandomLoad, type LoadStats } from '../../src/verify/runRandomLoad';
import { Venue } from '../../src/venue';
import { CheckThenActSeatStore } from '../support/CheckThenActSeatStore';
import { serve } from '../support/serve';
import { TEST_HEADERS } from '../support/credentials';

const SEATS = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];

/** Seeds for this run: `CHECK_SEED=n` replays seed n alone; otherwise three fresh ones. */
function seeds(): number[] {
  if (process.env.CHECK_SEED) return [Number(process.env.CHECK_SEED)];
  const base = Date.now() % 1_000_000;
  return [base, base + 1, base + 2];
}

/** A TTL from 30 to 80 ms, drawn from the seed: short enough that expiries race the confirms. */
const ttlFor = (seed: number) => 30 + ((seed * 37) % 51);

async function recordRun(seed: number, options: AppOptions): Promise<LoadStats> {
  const served = await serve(options);
  try {
    return await runRandomLoad({
      headers: TEST_HEADERS,
      baseUrl: served.url,
      clients: 50,
      seats: SEATS,
      users: 8,
      seed,
      operationsPerClient: 20,
      // Pauses up to a little over the TTL: a follow-up confirm lands on both sides of the deadline.
      maxPauseMs: Math.round((options.lockTtlMs ?? 50) * 1.2),
    });
  } finally {
    await served.stop();
  }
}

/** What a run did, so a reader sees that locks really collided and expired. */
function describeRun({ history }: LoadStats): string {
  const counts = new Map<string, number>();
  for (const op of history.operations()) {
    const key = op.outcome?.code ?? `${op.kind} ${op.outcome?.state ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const of = (key: string) => counts.get(key) ?? 0;
  return (
    `${of('lock locked')} locks granted, ${of('SEAT_LOCKED')} refused SEAT_LOCKED, ` +
    `${of('confirm booked')} confirms booked, ${of('LOCK_EXPIRED')} refused LOCK_EXPIRED`
  );
}

function explain(seed: number, report: CheckReport): string {
  return (
    `Replay with CHECK_SEED=${seed} npm test\n` +
    report.violations.map((v) => v.report).join('\n\n') +
    (report.inconclusive.length ? `\nInconclusive seats: ${report.inconclusive.join(', ')}` : '')
  );
}

describe('Linearizability of random concurrent HTTP histories', function () {
  this.timeout(60_000);

  for (const seed of seeds()) {
    it(`50 clients on ${SEATS.length} seats, seed ${seed}, TTL ${ttlFor(seed)} ms: no interleaving double-books`, async () => {
      const ttlMs = ttlFor(seed);
      const stats = await recordRun(seed, { rows: 1, seatsPerRow: SEATS.length, lockTtlMs: ttlMs });
      const others = Object.keys(stats.statuses).filter((s) => s !== '200' && s !== '409');
      expect(others, `seed ${seed}: answers other than 200 and 409`).to.deep.equal([]);
      expect(stats.maxInFlight, 'clients really overlapped').to.be.greaterThan(1);
      const report = checkLinearizable(stats.history.operations(), { ttlMs, expiryToleranceMs: 0 });
      expect(report.operations).to.equal(50 * 20);
      expect(report.ok, explain(seed, report)).to.equal(true);
      console.log(`      ${describeRun(stats)}; ${report.states} search states`);
    });
  }

  it('catches a broken host: check-then-act with an await between check and transition', async () => {
    // The race needs requests to overlap on a seat; a few seeds make that certain in practice.
    const tried: number[] = [];
    let caught: CheckReport | undefined;
    for (const seed of [11, 12, 13, 14, 15]) {
      tried.push(seed);
      const ttlMs = 50;
      const store = new CheckThenActSeatStore(new Venue(1, SEATS.length), ttlMs);
      const stats = await recordRun(seed, { store, lockTtlMs: ttlMs });
      // The broken host stamps before its await: hold it only to the weaker promise (stamp and
      // effect anywhere in the window), so what is caught is a real double grant.
      const report = checkLinearizable(stats.history.operations(), { ttlMs, stampIsEffect: false });
      if (!report.ok) {
        caught = report;
        break;
      }
    }
    expect(caught, `no violation found with seeds ${tried.join(', ')}`).to.not.equal(undefined);
    const violation = caught!.violations[0];
    expect(violation.operations.length).to.be.lessThan(violation.originalSize);
    // The minimised sub-history is itself a counterexample, printed for a person.
    const again = checkLinearizable(violation.operations, { ttlMs: 50, stampIsEffect: false });
    expect(again.ok).to.equal(false);
    expect(violation.report).to.match(/smallest offending sub-history/);
    console.log(
      `      (caught with seed ${tried.at(-1)})\n${violation.report.replace(/^/gm, '      ')}`,
    );
  });
});
