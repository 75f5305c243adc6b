import autocannon, { type Result } from 'autocannon';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../scripts/postgres/testDatabase';
import { freePort } from '../scripts/freePort';
import { compileBench } from './compiled';
import { killChildren, NodeChild } from './NodeChild';
import { measureEvents } from './events';
import { holdTargets, measureHolds } from './holds';
import { measureSeatMapRender } from './seatmapRender';
import { postgresCpuMicros } from './postgresCpu';
import { measureStageCosts } from './stageCosts';
import { burst, lockFirst, medianGetMs, metricsAcrossWorkers, type TargetRow } from './targets';
import {
  BENCH_API_KEY,
  BENCH_ROWS,
  BENCH_SEATS_PER_ROW,
  lockMany,
  scenarios,
  type Load,
  type Scenario,
} from './scenarios';
import {
  renderReport,
  STORES,
  type Figures,
  type MemoryRow,
  type PostgresUse,
  type ScenarioRow,
  type StoreKey,
} from './report';

/**
 * `npm run bench`: the service and a bare Express baseline, each in its own process, driven in
 * turn by autocannon on the same scenarios, round after round; the service both in memory and on
 * PostgreSQL with 1 and 2 workers (node:cluster), each on a fresh database. Then memory and
 * start-up at 10k, 100k and 1M seats, with many seats locked at once, and on PostgreSQL. Prints the
 * table and writes it to bench/results.md. Exits non-zero when anything fails (a wrong answer
 * included); no PostgreSQL at all is not a failure: its rows say why they are missing.
 *
 *   npm run bench                       # the full run (about 5–6 minutes)
 *   npm run bench -- --quick            # a smoke run (about a minute)
 *   npm run bench -- --only-store memory  # skip PostgreSQL (or `pg`: skip the in-memory store)
 *   npm run bench -- --quick --only lock --burst  # one scenario, plus the cold 400-lock burst
 *   npm run bench -- --rounds 5 --duration 10 --connections 50 --profile
 *   npm run bench -- --locked 20000 --sold-out 20000   # smaller memory and nearly-sold-out runs
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '50' },
    locked: { type: 'string' },
    'sold-out': { type: 'string' },
    only: { type: 'string' },
    burst: { type: 'boolean', default: false },
    'only-store': { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const settings = {
  rounds: Number(args.rounds ?? (args.quick ? 1 : 3)),
  durationS: Number(args.duration ?? (args.quick ? 2 : 3)),
  warmupS: 2,
  connections: Number(args.connections),
  lockedSeats: Number(args.locked ?? (args.quick ? 10_000 : 100_000)),
  /** Seats of the nearly-sold-out venue (all but one locked over HTTP), in thousands. */
  soldOutRows: Number(args['sold-out'] ?? (args.quick ? 10_000 : 100_000)) / BENCH_SEATS_PER_ROW,
};

for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`Bad option: ${name} must be a positive number (got ${value}).`);
    process.exit(2);
  }
}
const onlyStore = args['only-store'];
if (onlyStore !== undefined && onlyStore !== 'memory' && onlyStore !== 'pg') {
  console.error(`Bad option: --only-store must be memory or pg (got ${onlyStore}).`);
  process.exit(2);
}
// A smoke run must not overwrite the figures docs/performance.md quotes.
const outFile = args.out ?? path.join(__dirname, args.quick ? 'results.quick.md' : 'results.md');

/** Every process the bench starts runs compiled JavaScript, as in production. */
const compiled = compileBench();

const LONG_TTL = String(60 * 60 * 1000); // no lock expires while the bench reads the results

function runLoad(url: string, load: Load, duration: number): Promise<Result> {
  return autocannon({ url, connections: settings.connections, duration, requests: load.requests });
}

/** A server under load: its process, its address, and what to clean up after it. */
interface Target {
  name: string;
  child: NodeChild;
  url: string;
  startupMs: number;
  stop(): Promise<void>;
}

/**
 * The service as `npm start` runs it, on `store`: in memory, or on a fresh PostgreSQL database
 * (dropped by `stop()`) with the store's number of workers.
 */
async function startService(
  rows: number,
  seatsPerRow: number,
  store: StoreKey,
  /** A database another service already uses (two instances of one venue); else a fresh one. */
  sharedDatabaseUrl?: string,
  /** Settings of this scenario's own, over the bench's. */
  extraEnv: Record<string, string> = {},
): Promise<Target> {
  const { workers, pg } = STORES[store];
  let database: TestDatabase | undefined;
  if (pg && sharedDatabaseUrl === undefined) {
    const created = await createTestDatabase('seats_bench');
    if (typeof created === 'string') throw new Error(`no PostgreSQL: ${created}`);
    database = created;
  }
  const port = await freePort();
  const child = new NodeChild({
    script: compiled.server,
    probe: compiled.probe,
    port,
    env: {
      SEAT_ROWS: String(rows),
      SEATS_PER_ROW: String(seatsPerRow),
      LOCK_TTL_MS: LONG_TTL,
      // In this process's memory or in this run's own database, whatever the shell has set.
      DATABASE_URL: sharedDatabaseUrl ?? database?.url ?? '',
      WORKERS: String(workers),
      // The rate limit runs and counts every request, as in production (set explicitly, it counts
      // this host's clients too), with a limit the bench's single address never reaches.
      RATE_LIMIT_PER_MINUTE: '1000000',
      // The bench's backend key: every seat action names its user, as a backend's would.
      API_KEYS: BENCH_API_KEY.digest,
      // Locks for many users from the bench's one address: no per-client lock cap.
      MAX_LOCKS_PER_CLIENT: '0',
      // No log line per request (the baseline writes none; 4xx answers log at warn); the request
      // logger still runs (request ids, child loggers), and errors still show.
      LOG_LEVEL: 'error',
      BENCH_PROFILE: args.profile ? '1' : '0',
      ...extraEnv,
    },
    nodeFlags: args.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(__dirname, 'profiles')}`]
      : [],
  });
  const stop = async () => {
    await child.stop();
    await database?.drop();
  };
  try {
    const startupMs = await child.start();
    return { name: STORES[store].label, child, url: `http://127.0.0.1:${port}`, startupMs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startBaseline(): Promise<Target> {
  const port = await freePort();
  const child = new NodeChild({
    script: compiled.baseline,
    probe: compiled.probe,
    port,
    env: {},
  });
  const startupMs = await child.start();
  const url = `http://127.0.0.1:${port}`;
  return { name: 'baseline', child, url, startupMs, stop: () => child.stop() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One load run against one server, with the CPU time the server spent on it. */
interface Measured {
  result: Result;
  cpuMicros: number;
  /** PostgreSQL's CPU time over the run (its processes on this host), when measured. */
  dbMicros?: number;
}

function summarize(runs: Measured[]): Figures {
  return {
    rps: median(runs.map(({ result }) => result.requests.total / result.duration)),
    p50: median(runs.map(({ result }) => result.latency.p50)),
    p99: median(runs.map(({ result }) => result.latency.p99)),
    cpuPerRequest: median(runs.map(({ result, cpuMicros }) => cpuMicros / result.requests.total)),
    databaseCpuPerRequest: runs.every((run) => run.dbMicros !== undefined)
      ? median(runs.map(({ result, dbMicros }) => dbMicros! / result.requests.total))
      : undefined,
  };
}

/**
 * Runs one scenario: a fresh service per store and a baseline, warmed up, then rounds taken in
 * turns (each round alternates the order, so no server always goes first).
 */
async function runScenario(scenario: Scenario, stores: StoreKey[]): Promise<ScenarioRow> {
  // Started together (their start-up is not measured here); whichever started is stopped after.
  const started = await Promise.allSettled([
    ...stores.map(async (store) => ({
      ...(await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, store)),
      store: store as StoreKey | undefined,
      results: [] as Measured[],
    })),
    startBaseline().then((target) => ({ ...target, store: undefined, results: [] as Measured[] })),
  ]);
  const targets = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    // Round 0 warms the JIT up and is not counted.
    for (let round = 0; round <= settings.rounds; round++) {
      const order = round % 2 ? targets : [...targets].reverse();
      for (const target of order) {
        const load = scenario.load(round);
        const duration = round === 0 ? settings.warmupS : settings.durationS;
        const onPostgres = target.store !== undefined && STORES[target.store].pg;
        const dbBefore = onPostgres ? postgresCpuMicros() : undefined;
        const cpuBefore = await target.child.cpuMicros();
        const result = await runLoad(target.url, load, duration);
        const cpuMicros = (await target.child.cpuMicros()) - cpuBefore;
        const dbAfter = dbBefore === undefined ? undefined : postgresCpuMicros();
        const dbMicros = dbAfter === undefined ? undefined : dbAfter - dbBefore!;
        // A warm-up round on a cold server of a busy machine may finish nothing: not a failure.
        const idleWarmUp = round === 0 && result.requests.total === 0;
        if (!idleWarmUp)
          await load.check(result, target.url).catch((err: Error) => {
            throw new Error(
              `${scenario.title} on the ${target.name}, round ${round}: ${err.message}`,
            );
          });
        if (round > 0) target.results.push({ result, cpuMicros, dbMicros });
      }
      process.stdout.write('.');
    }
    const row: ScenarioRow = {
      key: scenario.key,
      title: scenario.title,
      baseline: summarize(targets[targets.length - 1].results),
      stores: {},
    };
    if (scenario.key === 'lock' && stores.includes('memory')) {
      // One more run each with the profiler on: what a lock costs, stage by stage.
      const memory = targets.find((t) => t.store === 'memory')!;
      const baseline = targets[targets.length - 1];
      const load = (round: number) => scenario.load(settings.rounds + round);
      row.stages = {
        service: await measureStageCosts(
          memory.child,
          memory.url,
          load(1),
          settings.durationS,
          settings.connections,
        ),
        baseline: await measureStageCosts(
          baseline.child,
          baseline.url,
          load(2),
          settings.durationS,
          settings.connections,
        ),
      };
    }
    for (const target of targets) {
      if (target.store) row.stores[target.store] = summarize(target.results);
    }
    const figures = targets.map(
      (t) =>
        `${t.name} ${summarize(t.results).rps.toFixed(0)} req/s ` +
        `(${summarize(t.results).cpuPerRequest.toFixed(0)} µs CPU/req)`,
    );
    console.log(` ${scenario.title}: ${figures.join(', ')}`);
    return row;
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

/** Start-up time and memory of an idle service of `rows × seatsPerRow` seats on `store`. */
async function idleMemory(
  rows: number,
  seatsPerRow: number,
  store: StoreKey = 'memory',
): Promise<MemoryRow> {
  const service = await startService(rows, seatsPerRow, store);
  try {
    const where = store === 'memory' ? '' : ` on ${service.name} (fresh database)`;
    return {
      label: `${(rows * seatsPerRow).toLocaleString('en')} seats${where}, idle`,
      startupMs: service.startupMs,
      memory: await service.child.memory(),
    };
  } finally {
    await service.stop();
  }
}

/** Memory of a 1M-seat service with `count` seats locked at once (locked over HTTP). */
async function lockedMemory(count: number): Promise<MemoryRow> {
  const service = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'memory');
  const { url } = service;
  try {
    const load = lockMany();
    const result = await autocannon({
      url,
      connections: settings.connections,
      amount: count,
      timeout: 120, // s: a busy machine answers slowly, and a lock not answered is a failure
      requests: load.requests,
    });
    await load.check(result, url);
    const summary = (await (await fetch(`${url}/seats/summary`)).json()) as { locked: number };
    if (summary.locked !== count)
      throw new Error(`expected ${count} locked seats, the summary says ${summary.locked}`);
    const { first, settled } = await service.child.settledMemory();
    return {
      label: `1,000,000 seats, ${count.toLocaleString('en')} locked`,
      startupMs: service.startupMs,
      memory: settled,
      firstGc: first,
    };
  } finally {
    await service.stop();
  }
}

async function baselineMemory(): Promise<MemoryRow> {
  const baseline = await startBaseline();
  try {
    return {
      label: 'Express baseline, idle (the floor)',
      startupMs: baseline.startupMs,
      memory: await baseline.child.memory(),
    };
  } finally {
    await baseline.stop();
  }
}

/**
 * Whether the PostgreSQL rows can be measured: finds a server the way the tests do (local
 * 127.0.0.1:5432, or a disposable one it starts), and reads the settings that decide what a
 * commit costs. Resolves with the reason when there is none, which is not a failure of the bench.
 */
async function findPostgres(): Promise<PostgresUse> {
  if (onlyStore === 'memory') return { used: false, reason: 'skipped (--only-store memory)' };
  const database = await createTestDatabase('seats_bench');
  if (typeof database === 'string') return { used: false, reason: `no PostgreSQL: ${database}` };
  const client = new Client({ connectionString: database.url });
  try {
    await client.connect();
    const setting = async (name: string) =>
      (await client.query<{ setting: string }>(`SELECT current_setting('${name}') AS setting`))
        .rows[0].setting;
    return {
      used: true,
      source: database.source,
      version: await setting('server_version'),
      fsync: await setting('fsync'),
      synchronousCommit: await setting('synchronous_commit'),
    };
  } finally {
    await client.end();
    await database.drop();
  }
}

/**
 * The targets of issue 14 that are not a scenario's ratio: the nearly-sold-out page on each store,
 * the cold burst of 400 locks on two PostgreSQL instances against memory, and one scrape of
 * `/metrics` covering 2 workers.
 */
async function measureTargets(stores: StoreKey[]): Promise<TargetRow[]> {
  const rows: TargetRow[] = [];
  const page = '/seats?state=available&limit=1';
  // Nearly sold out: every seat but the last taken; the page must not walk the taken ones.
  const soldOut = async (store: StoreKey, seatRows: number) => {
    const seats = seatRows * BENCH_SEATS_PER_ROW;
    const service = await startService(seatRows, BENCH_SEATS_PER_ROW, store);
    try {
      const emptyMs = await medianGetMs(service.url, page);
      await lockFirst(service.url, seats - 1);
      const soldMs = await medianGetMs(service.url, page);
      const met = soldMs <= Math.max(1.5 * emptyMs, emptyMs + 2);
      rows.push({
        target: `${STORES[store].label}: GET ${page} with ${(seats - 1).toLocaleString('en')} of ${seats.toLocaleString('en')} seats locked takes ≤ 1.5× (or +2 ms) the empty venue's`,
        measured: `${soldMs.toFixed(1)} ms sold out, ${emptyMs.toFixed(1)} ms empty (median of 21)`,
        met,
      });
    } finally {
      await service.stop();
    }
  };
  if (stores.includes('memory')) await soldOut('memory', settings.soldOutRows);
  // PostgreSQL on a tenth of that: locking 100,000 seats one request each would take minutes.
  if (stores.includes('pg1'))
    await soldOut('pg1', Math.max(1, Math.round(settings.soldOutRows / 10)));

  if (stores.includes('memory') && stores.includes('pg1')) rows.push(await burstTarget());
  if (stores.includes('pg2')) {
    const service = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'pg2');
    try {
      rows.push(await metricsAcrossWorkers(service.url, 8));
    } finally {
      await service.stop();
    }
  }
  return rows;
}

/** Cold bursts measured, each on freshly started services: the target reads their median. */
const BURST_RUNS = 3;

/**
 * The cold burst of 400 concurrent locks on two PostgreSQL instances, against one in memory, on
 * freshly started services, {@link BURST_RUNS} times: one burst lasts about half a second, so one
 * busy moment of the machine (or of PostgreSQL's background writers) moves a single ratio by 0.3;
 * the median of three is what the target reads, and all three ratios are shown.
 */
async function burstTarget(): Promise<TargetRow> {
  const runs: BurstPair[] = [];
  for (let run = 0; run < BURST_RUNS; run++) runs.push(await burstOnce());
  const ratio = (r: BurstPair) => r.pg.totalMs / r.memory.totalMs;
  const sorted = [...runs].sort((a, b) => ratio(a) - ratio(b));
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    target:
      "A cold burst of 400 concurrent locks on two PostgreSQL instances takes ≤ 1.5× the memory store's time",
    measured:
      `${fmt(median.pg.totalMs)} ms (p50 ${fmt(median.pg.p50Ms)}) on PostgreSQL, ` +
      `${fmt(median.memory.totalMs)} ms (p50 ${fmt(median.memory.p50Ms)}) in memory: ` +
      `${ratio(median).toFixed(2)}× (median of ${runs.length} runs: ${runs.map((r) => `${ratio(r).toFixed(2)}×`).join(', ')})`,
    met: ratio(median) <= 1.5,
  };
}

/** One cold burst's times on each store. */
type BurstTimes = Awaited<ReturnType<typeof burst>>;
interface BurstPair {
  pg: BurstTimes;
  memory: BurstTimes;
}

/** One cold burst on a fresh in-memory service, then one on two fresh PostgreSQL instances. */
async function burstOnce(): Promise<BurstPair> {
  const memoryService = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'memory');
  let memory;
  try {
    memory = await burst([memoryService.url], 400, 0);
  } finally {
    await memoryService.stop();
  }
  // 200 locks at once per instance: more than the default PG_QUEUE_LIMIT (100) may wait, and the
  // rest would be shed with 503 by design (docs/reliability.md). The burst measures how fast the
  // store serves them all, so its instances queue the whole burst.
  const burstEnv = { PG_QUEUE_LIMIT: '400' };
  const first = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'pg1', undefined, burstEnv);
  try {
    const url = first.child.env.DATABASE_URL;
    const second = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'pg1', url, burstEnv);
    try {
      return { pg: await burst([first.url, second.url], 400, 0), memory };
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
  }
}

const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });

async function main(): Promise<void> {
  const began = Date.now();
  console.log(
    `Bench: ${settings.rounds} round(s) of ${settings.durationS}s per server and scenario, ` +
      `${settings.connections} connections, ${BENCH_ROWS * BENCH_SEATS_PER_ROW} seats`,
  );
  const all = scenarios();
  const wanted = args.only?.split(',') ?? all.map((s) => s.key);
  const unknown = wanted.filter((key) => !all.some((s) => s.key === key));
  if (unknown.length > 0) {
    throw new Error(
      `no scenario ${unknown.join(', ')} (there are ${all.map((s) => s.key).join(', ')})`,
    );
  }
  const postgres = await findPostgres();
  if (!postgres.used) console.log(`PostgreSQL rows: ${postgres.reason}`);
  const stores: StoreKey[] = [
    ...(onlyStore === 'pg' ? [] : (['memory'] as const)),
    ...(postgres.used ? (['pg1', 'pg2'] as const) : []),
  ];
  const chosen = all.filter((s) => wanted.includes(s.key));
  const rows: ScenarioRow[] = [];
  for (const scenario of chosen) rows.push(await runScenario(scenario, stores));

  const memory: MemoryRow[] = [];
  if (!args.only) {
    memory.push(await baselineMemory());
    if (stores.includes('memory')) {
      memory.push(await idleMemory(100, 100));
      memory.push(await idleMemory(100, 1000));
      memory.push(await idleMemory(BENCH_ROWS, BENCH_SEATS_PER_ROW));
      memory.push(await lockedMemory(settings.lockedSeats));
    }
    if (postgres.used) {
      memory.push(await idleMemory(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'pg1'));
      memory.push(await idleMemory(BENCH_ROWS, BENCH_SEATS_PER_ROW, 'pg2'));
    }
  }

  const targets: TargetRow[] = [];
  if (!args.only) targets.push(...(await measureTargets(stores)));
  else if (args.burst && stores.includes('memory') && stores.includes('pg1'))
    targets.push(await burstTarget());
  if (!args.only) {
    // The seat map's overview of a 100,000-seat event, drawn in headless Chromium.
    const seatMap = await measureSeatMapRender();
    if (seatMap) targets.push(seatMap.row);
    else console.log('Seat map row: no Chromium (Debian package chromium), skipped');
    // Issue 12: the heap per idle event, and lock throughput on an event against the default venue.
    const { durationS, rounds, connections } = settings;
    const pg = postgres.used && onlyStore !== 'memory';
    targets.push(...(await measureEvents(compiled, { durationS, rounds, connections, pg })));
    // Issue 13: multi-seat holds against single locks, and best available on a sold-out million.
    targets.push(...holdTargets(await measureHolds({ durationMs: Math.min(durationS, 5) * 1000 })));
  }

  const report = renderReport({
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    settings,
    stores,
    postgres,
    rows,
    memory,
    targets,
    elapsedS: (Date.now() - began) / 1000,
  });
  console.log('\n' + report);
  writeFileSync(outFile, report);
  console.log(`Written to ${path.relative(process.cwd(), outFile)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nBench failed: ${err instanceof Error ? err.message : String(err)}`);
    killChildren();
    process.exit(1);
  },
);
