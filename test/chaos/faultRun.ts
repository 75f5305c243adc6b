import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkLinearizable, type CheckReport } from '../../src/verify/checkLinearizable';
import { History } from '../../src/verify/History';
import type { Operation } from '../../src/verify/Operation';
import { RecordingSeatClient } from '../../src/verify/RecordingSeatClient';
import { runRandomLoad, type LoadStats } from '../../src/verify/runRandomLoad';
import type { ServerProcess } from '../support/serverProcess';
import { openSse, type SseConnection } from '../support/sseClient';
import { waitFor } from '../support/waitFor';
import { TEST_HEADERS } from '../support/credentials';

export interface FaultRunOptions {
  /** The service instances, looked up at each request (a fault may replace one). */
  instances: () => ServerProcess[];
  /** The seats the load plays on. */
  seats: readonly string[];
  ttlMs: number;
  seed: number;
  clients?: number;
  users?: number;
  /** Load before the fault starts (ms). */
  warmupMs?: number;
  /** Load after the fault has ended (ms). */
  cooldownMs?: number;
  /** The fault: resolves when it is over (the database back, the proxy fast again, …). */
  fault: () => Promise<void>;
  /** Longest pause between a client's requests (default 1.2 × TTL, so confirms race expiries). */
  maxPauseMs?: number;
  /** A client gives up on an answer after this long (ms): it then counts as unanswered. */
  requestTimeoutMs?: number;
  /**
   * Stop the load when the fault ends (the load is the fault: overload), before waiting for
   * readiness; otherwise the load goes on through recovery.
   */
  loadIsTheFault?: boolean;
}

/** What the clients saw, what the checker said, and how long recovery took. */
export interface FaultOutcome {
  stats: LoadStats;
  report: CheckReport;
  /** Locks and bookings the clients were told succeeded. */
  acknowledged: { locks: number; bookings: number };
  /** Acknowledged bookings the final reads did not find booked. */
  bookingsLost: string[];
  /** From the end of the fault until every instance's `/readyz` said 200 again (ms). */
  readyAfterMs: number;
  /** Whether some instance's `/readyz` said 503 during the fault. */
  wentUnready: boolean;
  /** `resync` events each instance's event stream sent during the run. */
  resyncs: number[];
  /** The fault's own duration (ms). */
  faultMs: number;
}

/**
 * Runs random concurrent load on the instances, injects `fault` after a warm-up, keeps the load
 * going until `cooldownMs` after the fault ended, then reads every seat through every instance and
 * checks the whole history with the linearizability checker (stamps anywhere in a request's
 * window: the PostgreSQL host's promise). Meanwhile it polls each instance's `/readyz` and keeps
 * an event stream open on each. Answers that are neither 200 nor 409 leave the operation's outcome
 * unknown for the checker (it may or may not have happened), exactly as a client must assume.
 *
 * @example
 * ```ts
 * const outcome = await runUnderFault({ instances: () => servers, seats, ttlMs: 300, seed: 1,
 *   fault: async () => { await pg.crash(); await sleep(2000); await pg.resume(); } });
 * expect(outcome.report.ok).to.equal(true);
 * ```
 */
export async function runUnderFault(options: FaultRunOptions): Promise<FaultOutcome> {
  const { seats, ttlMs, seed } = options;
  const clients = options.clients ?? 20;
  const history = new History();
  const streams = await Promise.all(options.instances().map(openStream));
  const probe = readinessProbe(options.instances);
  let loadDone = false;
  const load = runRandomLoad({
    headers: TEST_HEADERS,
    baseUrl: (client, request) => {
      const instances = options.instances();
      return instances[(client + request) % instances.length].url;
    },
    clients,
    seats,
    users: options.users ?? 8,
    seed,
    untilMs: Infinity,
    maxPauseMs: options.maxPauseMs ?? Math.round(ttlMs * 1.2),
    history,
    userPrefix: `f${seed}u`,
    requestTimeoutMs: options.requestTimeoutMs,
    stop: () => loadDone,
  });
  await sleep(options.warmupMs ?? 1500);
  const faultStart = Date.now();
  await options.fault();
  const faultEnd = Date.now();
  if (options.loadIsTheFault) loadDone = true;
  await waitFor(() => probe.allReadySince(faultEnd) !== undefined, {
    timeoutMs: 60_000,
    intervalMs: 50,
    what: 'every instance ready after the fault',
  }).catch((err: Error) => {
    const outputs = options.instances().map((i) => `--- ${i.url}:\n${i.output().slice(-3000)}`);
    throw new Error(`${err.message}\n${outputs.join('\n')}`);
  });
  const readyAt = probe.allReadySince(faultEnd)!;
  await sleep(options.cooldownMs ?? 1500);
  loadDone = true;
  const stats = await load;
  probe.stop();

  // Final reads through every instance: the checker places them, and they show what is left.
  const agent = new http.Agent({ keepAlive: true });
  const finals: Operation[] = [];
  try {
    for (const instance of options.instances()) {
      const reader = new RecordingSeatClient(instance.url, history, agent, undefined, TEST_HEADERS);
      for (const seat of seats) {
        finals.push((await reader.call({ client: clients, seat, kind: 'get' })).op);
      }
    }
  } finally {
    agent.destroy();
  }
  const resyncs = streams.map((stream) => stream.messages().filter(isResync).length);
  for (const stream of streams) stream.close();

  const ops = history.operations();
  const acknowledged = {
    locks: ops.filter((op) => op.kind === 'lock' && op.outcome?.status === 200).length,
    bookings: ops.filter((op) => op.kind === 'confirm' && op.outcome?.status === 200).length,
  };
  const bookingsLost = ops
    .filter((op) => op.kind === 'confirm' && op.outcome?.status === 200)
    .filter((op) => !finals.some((r) => r.seat === op.seat && r.outcome?.state === 'booked'))
    .map((op) => op.seat);
  const report = checkLinearizable(ops, { ttlMs, stampIsEffect: false, expiryToleranceMs: 0 });
  return {
    stats,
    report,
    acknowledged,
    bookingsLost,
    readyAfterMs: readyAt - faultEnd,
    wentUnready: probe.wentUnreadyBetween(faultStart, readyAt),
    resyncs,
    faultMs: faultEnd - faultStart,
  };
}

/** One line for the test's output and the reliability notes: what clients saw, and recovery. */
export function describeOutcome(name: string, outcome: FaultOutcome): string {
  const { stats, report, acknowledged } = outcome;
  return (
    `${name}: ${report.operations} ops, statuses ${JSON.stringify(stats.statuses)}, ` +
    `problems ${JSON.stringify(stats.problems)}, ${report.unknownOutcomes} unknown outcomes; ` +
    `acknowledged ${acknowledged.locks} locks and ${acknowledged.bookings} bookings, ` +
    `${outcome.bookingsLost.length} bookings lost; linearizable: ${report.ok}; ` +
    `fault lasted ${outcome.faultMs} ms, /readyz ${outcome.wentUnready ? 'went 503 and ' : ''}` +
    `was 200 on every instance ${outcome.readyAfterMs} ms after; resync events ${outcome.resyncs.join('/')}`
  );
}

/** The checker's failure report, with the seed to replay. */
export function explainReport(seed: number, report: CheckReport): string {
  return (
    `Replay with CHECK_SEED=${seed} npm run chaos\n` +
    report.violations.map((v) => v.report).join('\n\n') +
    (report.inconclusive.length ? `\nInconclusive seats: ${report.inconclusive.join(', ')}` : '')
  );
}

/** Seed of this run: `CHECK_SEED=n` replays seed n; otherwise a fresh one. */
export function chaosSeed(): number {
  return process.env.CHECK_SEED ? Number(process.env.CHECK_SEED) : Date.now() % 1_000_000;
}

const isResync = (message: { event?: string }) => message.event === 'resync';

function openStream(instance: ServerProcess): Promise<SseConnection> {
  const { port } = new URL(instance.url);
  return openSse({ port: Number(port), address: '127.0.0.1', family: 'IPv4' });
}

/** Polls every instance's `/readyz` every 50 ms and remembers what each said when. */
function readinessProbe(instances: () => ServerProcess[]) {
  const samples: { at: number; ready: boolean[] }[] = [];
  let running = true;
  const agent = new http.Agent({ keepAlive: false });
  const ask = (url: string) =>
    new Promise<boolean>((resolve) => {
      const req = http.get(`${url}/readyz`, { agent, timeout: 3000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  void (async () => {
    while (running) {
      const at = Date.now();
      samples.push({ at, ready: await Promise.all(instances().map((i) => ask(i.url))) });
      await sleep(50);
    }
  })();
  return {
    /** When every instance was first ready together at or after `since`, if it has been. */
    allReadySince(since: number): number | undefined {
      return samples.find((s) => s.at >= since && s.ready.every(Boolean))?.at;
    },
    wentUnreadyBetween(from: number, to: number): boolean {
      return samples.some((s) => s.at >= from && s.at <= to && !s.ready.every(Boolean));
    },
    stop() {
      running = false;
      agent.destroy();
    },
  };
}
