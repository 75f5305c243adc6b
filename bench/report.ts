import type { Memory } from './NodeChild';

export interface Figures {
  /** Requests per second (median over rounds). */
  rps: number;
  /** Latency percentiles in ms (median over rounds). */
  p50: number;
  p99: number;
  /** The server's CPU time per request in µs (median over rounds): robust on a busy machine. */
  cpuPerRequest: number;
}

export interface ScenarioRow {
  key: string;
  title: string;
  service: Figures;
  baseline: Figures;
}

export interface MemoryRow {
  label: string;
  startupMs: number;
  memory: Memory;
}

export interface Report {
  date: string;
  machine: string;
  settings: { rounds: number; durationS: number; connections: number; lockedSeats: number };
  rows: ScenarioRow[];
  memory: MemoryRow[];
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
      `Venue: 1,000,000 seats; service in memory, one process, LOG_LEVEL=error (no line per request), RATE_LIMIT_PER_MINUTE=0 (the load comes from one address), other settings default. The baseline is Express 5 with \`express.json()\` and the same routes and ` +
      `response shapes, without seat logic (bench/baseline.ts). Whole run: ${fmt(report.elapsedS)} s.`,
    '',
    '| scenario | service req/s | baseline req/s | ratio | service p50 / p99 ms | baseline p50 / p99 ms | p99 ratio | CPU µs/req service / baseline | target | met |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const { key, title, service, baseline } of report.rows) {
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
  const get = report.rows.find((r) => r.key === 'getSeat');
  const page = report.rows.find((r) => r.key === 'page');
  if (get && page) {
    const slower = get.service.rps / page.service.rps;
    const floor = get.baseline.rps / page.baseline.rps;
    lines.push(
      '',
      `GET /seats?limit=100 on 1M seats takes ${fmt(slower, 2)}× the time of GET /seats/:id on the service ` +
        `(target ≤ 1.2×): ${met(slower <= 1.2)}. The baseline, serializing the same 100 seats with no ` +
        `lookup at all, takes ${fmt(floor, 2)}× for the same pair.`,
    );
  }
  if (report.rows.some((r) => r.key === 'hot')) {
    lines.push(
      '',
      'Hot on-sale: every round, each of its 10 seats had exactly one 200 and was locked afterwards ' +
        '(checked; the bench fails otherwise).',
    );
  }
  lines.push(
    '',
    "CPU µs/req is the server process's CPU time (all threads, GC included) over the requests it " +
      'answered: less sensitive than req/s to other load on the machine, though a busy virtual ' +
      'machine can inflate it too.',
  );
  if (report.memory.length > 0) {
    lines.push(
      '',
      'Memory after a full GC, and start-up (spawn to listening, through ts-node as `npm start` runs it):',
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
        target = label.includes('100,000 locked') ? 'RSS ≤ 1 GB' : '(target is for 100,000)';
        ok = label.includes('100,000 locked') ? rssMb <= 1024 : undefined;
      }
      lines.push(
        `| ${label} | ${fmt(startupMs)} | ${fmt(rssMb)} | ${fmt(memory.heapUsed / MB)} / ${fmt(memory.heapTotal / MB)} | ${target} | ${ok === undefined ? '' : met(ok)} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
