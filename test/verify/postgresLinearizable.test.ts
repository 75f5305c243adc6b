import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { checkLinearizable, type CheckReport } from '../../src/verify/checkLinearizable';
import { History } from '../../src/verify/History';
import type { Operation } from '../../src/verify/Operation';
import { RecordingSeatClient } from '../../src/verify/RecordingSeatClient';
import { runRandomLoad, type LoadStats } from '../../src/verify/runRandomLoad';
import { usePostgres } from '../support/postgres';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { waitFor } from '../support/waitFor';
import { TEST_HEADERS } from '../support/credentials';

/** Short enough that expiries (by either instance's sweeper, or by the next event) race confirms. */
const TTL_MS = 200;
const CLIENTS = 20;
/** How long after the burst of requests the victim is killed (ms). */
const KILL_DELAY_MS = Number(process.env.KILL_DELAY_MS ?? 3);
/** Two rows of a small venue: row A for the plain runs, row B for the crash run. */
const ROW_A = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
const ROW_B = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'];

/** Seeds for this run: `CHECK_SEED=n` replays seed n alone; otherwise a fresh one. */
function seeds(): number[] {
  if (process.env.CHECK_SEED) return [Number(process.env.CHECK_SEED)];
  return [Date.now() % 1_000_000];
}

/**
 * The promise a PostgreSQL-backed instance keeps: it stamps `now` when the request arrives and
 * applies the event after a database round trip (and maybe a compare-and-set retry), so the stamp
 * and the effect each lie somewhere in the request's window, not at one instant. Expiry is never
 * early: both the sweepers and the requests expire a lock only at or after its deadline.
 */
const check = (ops: readonly Operation[]) =>
  checkLinearizable(ops, { ttlMs: TTL_MS, stampIsEffect: false, expiryToleranceMs: 0 });

function explain(seed: number, report: CheckReport): string {
  return (
    `Replay with CHECK_SEED=${seed} npm test\n` +
    report.violations.map((v) => v.report).join('\n\n') +
    (report.inconclusive.length ? `\nInconclusive seats: ${report.inconclusive.join(', ')}` : '')
  );
}

/** What a run did, so a reader sees that locks really collided and expired. */
function describeRun(ops: readonly Operation[], report: CheckReport): string {
  const count = (test: (op: Operation) => boolean) => ops.filter(test).length;
  // A booked seat is out of the game: say how many operations met a seat still in play.
  const bookedAt = new Map<string, number>();
  for (const op of ops) {
    if (op.kind !== 'confirm' || op.outcome?.status !== 200) continue;
    bookedAt.set(op.seat, Math.min(bookedAt.get(op.seat) ?? Infinity, op.returnedAt));
  }
  const inPlay = count((op) => op.invokedAt < (bookedAt.get(op.seat) ?? Infinity));
  return (
    `${report.operations} ops checked (${report.unknownOutcomes} unknown outcome, ` +
    `${inPlay} before their seat was booked): ` +
    `${count((op) => op.kind === 'lock' && op.outcome?.status === 200)} locks granted, ` +
    `${count((op) => op.outcome?.code === 'SEAT_LOCKED')} SEAT_LOCKED, ` +
    `${count((op) => op.kind === 'confirm' && op.outcome?.status === 200)} booked, ` +
    `${count((op) => op.outcome?.code === 'LOCK_EXPIRED')} LOCK_EXPIRED; ` +
    `${report.states} search states`
  );
}

/** Statuses other than a machine answer (200/409) or no answer (0): none is acceptable. */
const unexpected = (statuses: LoadStats['statuses']) =>
  Object.keys(statuses).filter((s) => !['0', '200', '409'].includes(s));

describe('Linearizability on PostgreSQL: two server processes sharing one venue', function () {
  this.timeout(120_000);
  const db = usePostgres();
  /** Two `src/process/server.ts` processes on the same database; [1] is the one the crash test kills. */
  const instances: ServerProcess[] = [];
  const env = () => ({
    DATABASE_URL: db().url,
    LOCK_TTL_MS: String(TTL_MS),
    SWEEP_INTERVAL_MS: '20',
    SEAT_ROWS: '2',
    SEATS_PER_ROW: String(ROW_A.length),
    // The checker needs every request to reach a seat: no rate limit, no per-user lock cap.
    RATE_LIMIT_PER_MINUTE: '0',
    MAX_LOCKS_PER_USER: '0',
  });

  before(async function () {
    this.timeout(90_000);
    instances.push(...(await Promise.all([startServerProcess(env()), startServerProcess(env())])));
  });
  after(async () => {
    await Promise.all(instances.map((server) => server.kill('SIGTERM')));
  });

  for (const seed of seeds()) {
    it(`${CLIENTS} clients alternating between the instances on ${ROW_A.length} seats, seed ${seed}: linearizable`, async () => {
      const stats = await runRandomLoad({
        headers: TEST_HEADERS,
        // Each client alternates: consecutive requests of one user go to different processes.
        baseUrl: (client, request) => instances[(client + request) % 2].url,
        clients: CLIENTS,
        seats: ROW_A,
        users: 8,
        seed,
        operationsPerClient: 30,
        maxPauseMs: Math.round(TTL_MS * 1.2),
        userPrefix: `s${seed}u`,
      });
      expect(
        unexpected(stats.statuses),
        `seed ${seed}: statuses ${JSON.stringify(stats.statuses)}`,
      ).to.deep.equal([]);
      expect(stats.statuses[0] ?? 0, 'requests without an answer').to.equal(0);
      const ops = stats.history.operations();
      const report = check(ops);
      expect(report.operations).to.equal(CLIENTS * 30);
      expect(report.ok, explain(seed, report)).to.equal(true);
      console.log(`      ${describeRun(ops, report)}`);
    });
  }

  it('stays linearizable across a kill -9 of one instance mid-load and its restart', async () => {
    const seed = seeds()[0];
    const history = new History();
    let down = false; // while instance 1 is dead, clients send everything to instance 0
    /** The instance each client's latest request went to. */
    const sentTo = new Map<number, ServerProcess>();
    const route = (client: number, request: number) => {
      const instance = down ? instances[0] : instances[(client + request) % 2];
      sentTo.set(client, instance);
      return instance.url;
    };
    const load = (batchSeed: number, operationsPerClient: number) =>
      runRandomLoad({
        headers: TEST_HEADERS,
        baseUrl: route,
        clients: CLIENTS,
        seats: ROW_B,
        users: 8,
        seed: batchSeed,
        operationsPerClient,
        maxPauseMs: Math.round(TTL_MS * 1.2),
        history,
        userPrefix: `c${seed}u`,
      });
    /** Clients whose request is on the victim right now (a client has one request at a time). */
    const inFlightOnVictim = () => {
      const victim = instances[1];
      const latest = new Map<number, Operation>();
      for (const op of history.operations()) latest.set(op.client, op);
      return [...latest.values()].filter(
        (op) => op.returnedAt === Infinity && sentTo.get(op.client) === victim,
      ).length;
    };

    let restarted: Promise<void> | undefined;
    const burstAgent = new http.Agent({ keepAlive: true });
    const burst: Promise<unknown>[] = [];
    const killer = (async () => {
      await waitFor(() => history.size >= 150 && inFlightOnVictim() > 0, {
        intervalMs: 1,
        what: 'a request in flight on the instance to kill',
      });
      // Make sure requests are inside the victim when it dies: a burst of locks, one per seat,
      // and the kill a few ms later, while some are between their stamp and their commit.
      const victim = new RecordingSeatClient(
        instances[1].url,
        history,
        burstAgent,
        undefined,
        TEST_HEADERS,
      );
      ROW_B.forEach((seat, k) =>
        burst.push(
          victim.call({ client: CLIENTS + 1 + k, seat, kind: 'lock', userId: `c${seed}u${k}` }),
        ),
      );
      await sleep(KILL_DELAY_MS);
      const dying = instances[1].kill('SIGKILL'); // the signal is sent at once
      down = true;
      await dying;
      restarted = startServerProcess(env()).then((server) => {
        instances[1] = server;
        down = false;
      });
    })();
    const [before] = await Promise.all([load(seed, 25), killer]);
    await restarted;
    await Promise.all(burst);
    burstAgent.destroy();
    // After the restart, both instances take requests again, as do the final reads.
    const afterRestart = await load(seed + 1, 10);
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (const instance of instances) {
        const reader = new RecordingSeatClient(
          instance.url,
          history,
          agent,
          undefined,
          TEST_HEADERS,
        );
        for (const seat of ROW_B) await reader.call({ client: CLIENTS, seat, kind: 'get' });
      }
    } finally {
      agent.destroy();
    }

    for (const stats of [before, afterRestart]) {
      expect(unexpected(stats.statuses), JSON.stringify(stats.statuses)).to.deep.equal([]);
    }
    expect(afterRestart.statuses[0] ?? 0, 'unanswered after the restart').to.equal(0);
    const ops = history.operations();
    // Every booking a client was told about is there, read through the restarted instance.
    const finalReads = ops.slice(-ROW_B.length);
    for (const op of ops.filter((o) => o.kind === 'confirm' && o.outcome?.status === 200)) {
      const read = finalReads.find((r) => r.seat === op.seat);
      expect(read?.outcome?.state, `${op.seat} booked by ${op.userId}`).to.equal('booked');
    }
    const report = check(ops);
    expect(report.unknownOutcomes, 'requests the kill cut off').to.be.greaterThan(0);
    expect(report.ok, explain(seed, report)).to.equal(true);
    console.log(`      kill -9 mid-load, restart: ${describeRun(ops, report)}`);
  });
});
