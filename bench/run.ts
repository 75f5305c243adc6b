import autocannon, { type Result } from 'autocannon';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, killChildren, NodeChild, type Memory } from './NodeChild';
import {
  BENCH_ROWS,
  BENCH_SEATS_PER_ROW,
  lockMany,
  scenarios,
  type Load,
  type Scenario,
} from './scenarios';
import { renderReport, type Figures, type MemoryRow, type ScenarioRow } from './report';

/**
 * `npm run bench`: the service and a bare Express baseline, each in its own process, driven in
 * turn by autocannon on the same scenarios, round after round; then the service's memory and
 * start-up at 10k, 100k and 1M seats, and with many seats locked at once. Prints the table and
 * writes it to bench/results.md. Exits non-zero when anything fails (a wrong answer included).
 *
 *   npm run bench                       # the full run (about 3–4 minutes)
 *   npm run bench -- --quick            # a smoke run (well under a minute)
 *   npm run bench -- --rounds 5 --duration 10 --connections 50 --profile
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '50' },
    locked: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const settings = {
  rounds: Number(args.rounds ?? (args.quick ? 1 : 3)),
  durationS: Number(args.duration ?? (args.quick ? 1 : 4)),
  warmupS: args.quick ? 1 : 2,
  connections: Number(args.connections),
  lockedSeats: Number(args.locked ?? (args.quick ? 10_000 : 100_000)),
};

for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`Bad option: ${name} must be a positive number (got ${value}).`);
    process.exit(2);
  }
}
// A smoke run must not overwrite the figures the README quotes.
const outFile = args.out ?? path.join(__dirname, args.quick ? 'results.quick.md' : 'results.md');

const LONG_TTL = String(60 * 60 * 1000); // no lock expires while the bench reads the results

function runLoad(url: string, load: Load, duration: number): Promise<Result> {
  return autocannon({ url, connections: settings.connections, duration, requests: load.requests });
}

async function startService(
  rows: number,
  seatsPerRow: number,
): Promise<[NodeChild, string, number]> {
  const port = await freePort();
  const child = new NodeChild({
    script: 'src/server.ts',
    port,
    env: {
      SEAT_ROWS: String(rows),
      SEATS_PER_ROW: String(seatsPerRow),
      LOCK_TTL_MS: LONG_TTL,
      // In this process's memory, one process, whatever the shell has set.
      DATABASE_URL: '',
      WORKERS: '1',
      // All the load comes from one address: the per-client rate limit would answer 429s.
      RATE_LIMIT_PER_MINUTE: '0',
      // No log line per request (the baseline writes none; 4xx answers log at warn); the request
      // logger still runs (request ids, child loggers), and errors still show.
      LOG_LEVEL: 'error',
      BENCH_PROFILE: args.profile ? '1' : '0',
    },
    nodeFlags: args.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(__dirname, 'profiles')}`]
      : [],
  });
  const startupMs = await child.start();
  return [child, `http://127.0.0.1:${port}`, startupMs];
}

async function startBaseline(): Promise<[NodeChild, string]> {
  const port = await freePort();
  const child = new NodeChild({ script: 'bench/baseline.ts', port, env: {} });
  await child.start();
  return [child, `http://127.0.0.1:${port}`];
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
}

function summarize(runs: Measured[]): Figures {
  return {
    rps: median(runs.map(({ result }) => result.requests.total / result.duration)),
    p50: median(runs.map(({ result }) => result.latency.p50)),
    p99: median(runs.map(({ result }) => result.latency.p99)),
    cpuPerRequest: median(runs.map(({ result, cpuMicros }) => cpuMicros / result.requests.total)),
  };
}

/** Runs one scenario: a fresh service and baseline, warmed up, then rounds taken in turns. */
async function runScenario(scenario: Scenario): Promise<ScenarioRow> {
  const [service, serviceUrl] = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW);
  const [baseline, baselineUrl] = await startBaseline();
  try {
    const targets = [
      { name: 'service', child: service, url: serviceUrl, results: [] as Measured[] },
      { name: 'baseline', child: baseline, url: baselineUrl, results: [] as Measured[] },
    ];
    // Round 0 warms the JIT up and is not counted; each later round alternates who goes first.
    for (let round = 0; round <= settings.rounds; round++) {
      const order = round % 2 ? targets : [...targets].reverse();
      for (const target of order) {
        const load = scenario.load(round);
        const duration = round === 0 ? settings.warmupS : settings.durationS;
        const cpuBefore = await target.child.cpuMicros();
        const result = await runLoad(target.url, load, duration);
        const cpuMicros = (await target.child.cpuMicros()) - cpuBefore;
        await load.check(result, target.url).catch((err: Error) => {
          throw new Error(
            `${scenario.title} on the ${target.name}, round ${round}: ${err.message}`,
          );
        });
        if (round > 0) target.results.push({ result, cpuMicros });
      }
      process.stdout.write('.');
    }
    const row = {
      key: scenario.key,
      title: scenario.title,
      service: summarize(targets[0].results),
      baseline: summarize(targets[1].results),
    };
    console.log(
      ` ${scenario.title}: ${row.service.rps.toFixed(0)} vs ${row.baseline.rps.toFixed(0)} req/s, ` +
        `${row.service.cpuPerRequest.toFixed(0)} vs ${row.baseline.cpuPerRequest.toFixed(0)} µs CPU/request`,
    );
    return row;
  } finally {
    await Promise.all([service.stop(), baseline.stop()]);
  }
}

/** Start-up time and memory of an idle service of `rows × seatsPerRow` seats. */
async function idleMemory(rows: number, seatsPerRow: number): Promise<MemoryRow> {
  const [service, , startupMs] = await startService(rows, seatsPerRow);
  try {
    return {
      label: `${(rows * seatsPerRow).toLocaleString('en')} seats, idle`,
      startupMs,
      memory: await service.memory(),
    };
  } finally {
    await service.stop();
  }
}

/** Memory of a 1M-seat service with `count` seats locked at once (locked over HTTP). */
async function lockedMemory(count: number): Promise<MemoryRow> {
  const [service, url, startupMs] = await startService(BENCH_ROWS, BENCH_SEATS_PER_ROW);
  try {
    const load = lockMany();
    const result = await autocannon({
      url,
      connections: settings.connections,
      amount: count,
      requests: load.requests,
    });
    await load.check(result, url);
    const summary = (await (await fetch(`${url}/seats/summary`)).json()) as { locked: number };
    if (summary.locked !== count)
      throw new Error(`expected ${count} locked seats, the summary says ${summary.locked}`);
    const memory: Memory = await service.memory();
    return { label: `1,000,000 seats, ${count.toLocaleString('en')} locked`, startupMs, memory };
  } finally {
    await service.stop();
  }
}

async function baselineMemory(): Promise<MemoryRow> {
  const started = performance.now();
  const [baseline] = await startBaseline();
  const startupMs = performance.now() - started;
  try {
    return {
      label: 'Express baseline, idle (the floor)',
      startupMs,
      memory: await baseline.memory(),
    };
  } finally {
    await baseline.stop();
  }
}

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
  const chosen = all.filter((s) => wanted.includes(s.key));
  const rows: ScenarioRow[] = [];
  for (const scenario of chosen) rows.push(await runScenario(scenario));

  const memory: MemoryRow[] = [];
  if (!args.only) {
    memory.push(await baselineMemory());
    memory.push(await idleMemory(100, 100));
    memory.push(await idleMemory(100, 1000));
    memory.push(await idleMemory(BENCH_ROWS, BENCH_SEATS_PER_ROW));
    memory.push(await lockedMemory(settings.lockedSeats));
  }

  const report = renderReport({
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    settings,
    rows,
    memory,
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
