import type { Memory } from './NodeChild';
import type { StageCosts } from './stageCosts';
import { STAGES } from './stages';
import type { TargetRow } from './targets';

export interface Figures {
  /** Requests per second (median over rounds). */
  rps: number;
  /** Latency percentiles in ms (median over rounds). */
  p50: number;
  p99: number;
  /** The server's CPU time per request in µs (median over rounds): robust on a busy machine. */
  cpuPerRequest: number;
  /**
   * PostgreSQL's CPU time per request in µs (all its processes on this host, median over rounds);
   * absent in memory, or when PostgreSQL runs elsewhere.
   */
  databaseCpuPerRequest?: number;
}

/** Where the service keeps its seats in a bench target. */
export type StoreKey = 'memory' | 'pg1' | 'pg2';

export const STORES: Record<StoreKey, { label: string; pg: boolean; workers: number }> = {
  memory: { label: 'service in memory', pg: false, workers: 1 },
  pg1: { label: 'PostgreSQL, 1 worker', pg: true, workers: 1 },
  pg2: { label: 'PostgreSQL, 2 workers', pg: true, workers: 2 },
};

export interface ScenarioRow {
  key: string;
  title: string;
  baseline: Figures;
  /** The service's figures on each store measured (the others were skipped). */
  stores: Partial<Record<StoreKey, Figures>>;
  /** For the lock scenario: what one request costs, stage by stage, service (memory) and baseline. */
  stages?: { service: StageCosts; baseline: StageCosts };
}

/** The PostgreSQL server the PG rows ran on, or why there are none. */
export type PostgresUse =
  | { used: true; source: string; version: string; fsync: string; synchronousCommit: string }
  | { used: false; reason: string };

export interface MemoryRow {
  label: string;
  startupMs: number;
  /** After a full GC; for a row measured right after a load, once the heap settled. */
  memory: Memory;
  /** For a row measured right after a load: the first full GC's figures, before it settled. */
  firstGc?: Memory;
}

export interface Report {
  date: string;
  machine: string;
  settings: { rounds: number; durationS: number; connections: number; lockedSeats: number };
  stores: StoreKey[];
  postgres: PostgresUse;
  rows: ScenarioRow[];
  memory: MemoryRow[];
  targets: TargetRow[];
  elapsedS: number;
}

/** The throughput each scenario must reach, as a share of the baseline's in the same run. */
const MIN_RATIO: Record<string, number> = { lock: 0.85, lockConfirm: 0.85, hot: 0.9 };
const MAX_P99_RATIO = 1.5;
const MB = 2 ** 20;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const met = (ok: boolean) => (ok ? 'yes' : '**no**');

/**
 * The bench's results as Markdown: throughput and latency against the baseline with the targets
 * of issue 4, then memory and start-up. The same text is printed and written to bench/results.md.
 *
 * @example
 * ```ts
 * writeFileSync('bench/results.md', renderReport(report));
 * ```
 */
export function renderReport(report: Report): string {
  const { settings } = report;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${report.date} on ${report.machine}.`,
    `${settings.rounds} measured round(s) of ${settings.durationS} s per server and scenario after a warm-up round, ` +
      `${settings.connections} connections, servers taken in turns; figures are medians over rounds. ` +
      `Venue: 1,000,000 seats; service one process unless said, LOG_LEVEL=error (no line per request), RATE_LIMIT_PER_MINUTE=1000000 (the limiter counts every request, as in production, and the single load address never reaches it); every process compiled JavaScript (dist/, as \`npm start\` runs it), other settings default. The baseline is Express 5 with \`express.json()\` and the same routes and ` +
      `response shapes, without seat logic (bench/baseline.ts); the service answers seat reads and actions on its lean lane, without Express's per-request set-up (src/http/LeanLane.ts; \`npm run bench:floor\`). Whole run: ${fmt(report.elapsedS)} s.`,
  ];
  lines.push(...renderGlance(report));
  const memoryRows = report.rows.filter((row) => row.stores.memory);
  if (memoryRows.length > 0) {
    lines.push(
      '',
      '## Service in memory against the baseline',
      '',
      '| scenario | service req/s | baseline req/s | ratio | service p50 / p99 ms | baseline p50 / p99 ms | p99 ratio | CPU µs/req service / baseline | target | met |',
      '|---|--:|--:|--:|--:|--:|--:|--:|---|---|',
    );
  }
  for (const { key, title, stores, baseline } of memoryRows) {
    const service = stores.memory!;
    const ratio = service.rps / baseline.rps;
    const p99Ratio = service.p99 / Math.max(baseline.p99, 1);
    const min = MIN_RATIO[key];
    const target = (min ? `≥ ${fmt(min * 100)}%, ` : '') + `p99 ≤ ${MAX_P99_RATIO}×`;
    const ok = (min === undefined || ratio >= min) && p99Ratio <= MAX_P99_RATIO;
    lines.push(
      `| ${title} | ${fmt(service.rps)} | ${fmt(baseline.rps)} | ${fmt(ratio * 100)}% | ` +
        `${service.p50} / ${service.p99} | ${baseline.p50} / ${baseline.p99} | ${fmt(p99Ratio, 2)}× | ` +
        `${fmt(service.cpuPerRequest)} / ${fmt(baseline.cpuPerRequest)} | ${target} | ${met(ok)} |`,
    );
  }
  const get = memoryRows.find((r) => r.key === 'getSeat');
  const page = memoryRows.find((r) => r.key === 'page');
  if (get && page) {
    const slower = get.stores.memory!.rps / page.stores.memory!.rps;
    const floor = get.baseline.rps / page.baseline.rps;
    lines.push(
      '',
      `GET /seats?limit=100 on 1M seats takes ${fmt(slower, 2)}× the time of GET /seats/:id on the service ` +
        `(target ≤ 1.2×): ${met(slower <= 1.2)}. The baseline, serializing the same 100 seats with no ` +
        `lookup at all, takes ${fmt(floor, 2)}× for the same pair.`,
    );
  }
  lines.push(...renderStages(report));
  lines.push(...renderPostgres(report));
  if (report.rows.some((r) => r.key === 'hot')) {
    lines.push(
      '',
      'Hot on-sale: every round, on every server, each of its 10 seats had at most one 200 (none only when the answer was cut off by the end of the run) and was ' +
        'locked afterwards (checked; the bench fails otherwise).',
    );
  }
  lines.push(
    '',
    "CPU µs/req is the service's CPU time (all threads of all its processes, GC included; not " +
      "PostgreSQL's) over the requests it answered: less sensitive than req/s to other load on " +
      'the machine, though a busy virtual machine can inflate it too. PostgreSQL CPU µs/req is ' +
      'the same for every `postgres` process on this host (from /proc; — when it runs elsewhere): ' +
      'on 2 cores, the service, PostgreSQL and the load generator share them, so the two together ' +
      'bound the throughput.',
  );
  if (report.memory.length > 0) {
    lines.push(
      '',
      "Memory after a full GC (summed over a service's processes), and start-up (spawn to listening, compiled, as `npm start` runs it; on PostgreSQL including schema creation and venue seeding on the fresh database):",
      '',
      '| process | start-up ms | RSS MB | heap used / total MB | target | met |',
      '|---|--:|--:|--:|---|---|',
    );
    for (const { label, startupMs, memory } of report.memory) {
      const rssMb = memory.rss / MB;
      let target = '';
      let ok: boolean | undefined;
      if (/^1,000,000 seats, idle/.test(label)) {
        target = 'RSS ≤ 300 MB, start-up ≤ 3 s';
        ok = rssMb <= 300 && startupMs <= 3000;
      } else if (/^1,000,000 seats, [\d,]+ locked/.test(label)) {
        target = label.includes('100,000 locked') ? 'RSS ≤ 500 MB' : '(target is for 100,000)';
        ok = label.includes('100,000 locked') ? rssMb <= 500 : undefined;
      }
      lines.push(
        `| ${label} | ${fmt(startupMs)} | ${fmt(rssMb)} | ${fmt(memory.heapUsed / MB)} / ${fmt(memory.heapTotal / MB)} | ${target} | ${ok === undefined ? '' : met(ok)} |`,
      );
    }
    for (const { label, firstGc, memory } of report.memory) {
      if (!firstGc) continue;
      lines.push(
        '',
        `${label}: the figures are once the heap settled (a full GC a second until the heap shrinks by ` +
          `less than 2 %, as an idle service's memory reducer does: V8 compacts a fragmented old space ` +
          `over several GCs). Right after the locks, after one full GC: ${fmt(firstGc.rss / MB)} MB RSS, ` +
          `heap ${fmt(firstGc.heapUsed / MB)} / ${fmt(firstGc.heapTotal / MB)} MB (settled: ` +
          `${fmt(memory.rss / MB)} MB).`,
      );
    }
  }
  if (report.targets.length > 0) {
    lines.push(
      '',
      '## Other targets of issue 14',
      '',
      '| target | measured | met |',
      '|---|---|---|',
    );
    for (const { target, measured, met: ok } of report.targets) {
      lines.push(`| ${target} | ${measured} | ${ok === undefined ? '' : met(ok)} |`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Issue 14's targets measured by other tables of this report, picked out by their wording. */
const GLANCE_TARGETS = /burst|state=available|\/metrics with WORKERS=2/;

/**
 * Every target of issue 14 in one table, met or not, before the tables they come from: the
 * same-run ratios against the baseline, PostgreSQL against memory, the memory of 100,000 locks, and
 * the burst, the nearly-sold-out pages and the metrics across workers.
 */
function renderGlance(report: Report): string[] {
  const rows: TargetRow[] = [];
  for (const { key, title, stores, baseline } of report.rows) {
    const service = stores.memory;
    const min = MIN_RATIO[key];
    if (!service || (key !== 'lock' && key !== 'hot')) continue;
    const ratio = service.rps / baseline.rps;
    const p99Ratio = service.p99 / Math.max(baseline.p99, 1);
    rows.push({
      target: `${title}: ≥ ${fmt(min * 100)}% of the baseline's req/s, p99 ≤ ${MAX_P99_RATIO}× the baseline's`,
      measured: `${fmt(ratio * 100)}% (${fmt(service.rps)} / ${fmt(baseline.rps)} req/s); p99 ${fmt(p99Ratio, 2)}× (${service.p99} / ${baseline.p99} ms); CPU per request ${fmt(service.cpuPerRequest)} / ${fmt(baseline.cpuPerRequest)} µs`,
      met: ratio >= min && p99Ratio <= MAX_P99_RATIO,
    });
  }
  const lock = report.rows.find((r) => r.key === 'lock');
  if (lock?.stores.pg1 && lock.stores.memory) {
    const ratio = lock.stores.pg1.rps / lock.stores.memory.rps;
    rows.push({
      target: 'POST lock on PostgreSQL, 1 worker: ≥ 60% of the memory store’s req/s',
      measured: `${fmt(ratio * 100)}% (${fmt(lock.stores.pg1.rps)} / ${fmt(lock.stores.memory.rps)} req/s)`,
      met: ratio >= 0.6,
    });
  }
  const locked = report.memory.find((m) => /^1,000,000 seats, 100,000 locked/.test(m.label));
  if (locked) {
    rows.push({
      target: '1,000,000 seats with 100,000 locked: ≤ 500 MB RSS',
      measured:
        `${fmt(locked.memory.rss / MB)} MB RSS once settled (heap used ${fmt(locked.memory.heapUsed / MB)} MB)` +
        (locked.firstGc
          ? `; ${fmt(locked.firstGc.rss / MB)} MB right after the locks, one full GC`
          : ''),
      met: locked.memory.rss / MB <= 500,
    });
  }
  rows.push(...report.targets.filter((t) => GLANCE_TARGETS.test(t.target)));
  if (rows.length === 0) return [];
  const lines = [
    '',
    '## Issue 14 at a glance',
    '',
    'Each target of issue 14 this run measured, from the tables below.',
    '',
    '| target | measured | met |',
    '|---|---|---|',
  ];
  for (const { target, measured, met: ok } of rows) {
    lines.push(`| ${target} | ${measured} | ${ok === undefined ? '' : met(ok)} |`);
  }
  return lines;
}

/**
 * What one lock costs, stage by stage: the CPU time per request of the service (in memory) and of
 * the baseline, split in the proportions of a CPU profile of each (bench/stages.ts).
 */
function renderStages(report: Report): string[] {
  const row = report.rows.find((r) => r.stages);
  if (!row?.stages) return [];
  const { service, baseline } = row.stages;
  const lines = [
    '',
    `## What one lock costs, stage by stage (${row.title})`,
    '',
    "CPU µs per request (all the process's threads, from its CPU time) split in the proportions of " +
      'a CPU profile of its main thread (sampled every 100 µs) taken during one more run of the ' +
      'scenario; each sample goes to the innermost stage on its stack (bench/stages.ts names the ' +
      "files of each). The profiler's own " +
      `overhead is in the totals. Requests profiled: service ${fmt(service.requests)}, baseline ${fmt(baseline.requests)}.`,
    '',
    '| stage | service µs | baseline µs | difference |',
    '|---|--:|--:|--:|',
  ];
  for (const stage of STAGES) {
    const a = service.perRequest[stage];
    const b = baseline.perRequest[stage];
    lines.push(`| ${stage} | ${fmt(a, 1)} | ${fmt(b, 1)} | ${fmt(a - b, 1)} |`);
  }
  lines.push(
    `| **total** | **${fmt(service.total, 1)}** | **${fmt(baseline.total, 1)}** | **${fmt(service.total - baseline.total, 1)}** |`,
  );
  return lines;
}

/** The PostgreSQL section: each scenario with 1 and 2 workers, against memory and baseline. */
function renderPostgres(report: Report): string[] {
  const { postgres } = report;
  const lines = ['', '## Service on PostgreSQL', ''];
  if (!postgres.used) {
    lines.push(`Not measured: ${postgres.reason}.`);
    return lines;
  }
  lines.push(
    `Server: ${postgres.source}; PostgreSQL ${postgres.version}, fsync=${postgres.fsync}, ` +
      `synchronous_commit=${postgres.synchronousCommit}. Each service starts on a fresh database ` +
      '(created and dropped by the bench), `DATABASE_URL` set, `WORKERS` 1 or 2 (node:cluster), ' +
      'other settings default (PG_POOL_SIZE=10 per process, MAX_LOCKS_PER_USER=10). Same scenarios, ' +
      'same rounds, same baseline as above; all of them run on PostgreSQL as they are.',
    '',
    '| scenario | workers | req/s | vs memory | vs baseline | p50 / p99 ms | p99 vs baseline | CPU µs/req | PostgreSQL CPU µs/req |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  const pgStores = report.stores.filter((store) => STORES[store].pg);
  let pgLock: number | undefined;
  for (const { key, title, stores, baseline } of report.rows) {
    for (const store of pgStores) {
      const figures = stores[store];
      if (!figures) continue;
      const memory = stores.memory;
      if (key === 'lock' && STORES[store].workers === 1 && memory) {
        pgLock = figures.rps / memory.rps;
      }
      lines.push(
        `| ${title} | ${STORES[store].workers} | ${fmt(figures.rps)} | ` +
          `${memory ? `${fmt((figures.rps / memory.rps) * 100)}%` : '—'} | ` +
          `${fmt((figures.rps / baseline.rps) * 100)}% | ${figures.p50} / ${figures.p99} | ` +
          `${fmt(figures.p99 / Math.max(baseline.p99, 1), 2)}× | ${fmt(figures.cpuPerRequest)} | ` +
          `${figures.databaseCpuPerRequest === undefined ? '—' : fmt(figures.databaseCpuPerRequest)} |`,
      );
    }
  }
  if (pgLock !== undefined) {
    lines.push(
      '',
      `Lock on PostgreSQL with 1 worker: ${fmt(pgLock * 100)}% of the memory store's throughput, same run ` +
        `(target ≥ 60%): ${met(pgLock >= 0.6)}.`,
    );
  }
  return lines;
}
