import autocannon from 'autocannon';
import { requestOnNewConnection as onNewConnection } from '../scripts/requestOnNewConnection';
import { BENCH_HEADERS, lockMany, venue } from './scenarios';

/** One measured target of issue 14 (beyond the scenario ratios): what, how much, met or not. */
export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | undefined;
}

/** Locks seats `0 … count-1` (distinct users) over HTTP, 50 connections; throws on any non-2xx. */
export async function lockFirst(url: string, count: number): Promise<void> {
  const load = lockMany();
  const result = await autocannon({
    url,
    connections: 50,
    amount: count,
    timeout: 120,
    requests: load.requests,
  });
  await load.check(result, url);
}

/**
 * A cold burst: `count` locks on distinct seats, all sent at once, each on its own connection,
 * spread over `urls` in turn. Resolves with the ms until the last answer and the median answer.
 */
export async function burst(
  urls: string[],
  count: number,
  first: number,
): Promise<{ totalMs: number; p50Ms: number }> {
  const started = performance.now();
  const times = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const seat = venue.idAt(first + i);
      const { status, text } = await onNewConnection(
        urls[i % urls.length],
        'POST',
        `/seats/${seat}/lock`,
        { userId: `burst-${seat}` },
        BENCH_HEADERS,
      );
      if (status !== 200) throw new Error(`burst: lock of ${seat} answered ${status}: ${text}`);
      return performance.now() - started;
    }),
  );
  times.sort((a, b) => a - b);
  return { totalMs: times[times.length - 1], p50Ms: times[Math.floor(times.length / 2)] };
}

/** The median ms of `times` GETs of `path`, one after the other. */
export async function medianGetMs(url: string, path: string, times = 21): Promise<number> {
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const { status, text } = await onNewConnection(url, 'GET', path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${text}`);
    took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  return took[Math.floor(times / 2)];
}

/** The value of a sample line `series value` in a Prometheus exposition (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * With 2 workers: locks `count` seats over fresh connections (so both workers take some), then
 * scrapes `/metrics` 6 times, each on a fresh connection: met when every scrape counts all of
 * them and no scrape is below the one before.
 */
export async function metricsAcrossWorkers(url: string, count: number): Promise<TargetRow> {
  for (let i = 0; i < count; i++) {
    const seat = venue.idAt(900_000 + i);
    const { status } = await onNewConnection(
      url,
      'POST',
      `/seats/${seat}/lock`,
      { userId: `m-${seat}` },
      BENCH_HEADERS,
    );
    if (status !== 200) throw new Error(`metrics: lock of ${seat} answered ${status}`);
  }
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    seen.push(
      sample((await onNewConnection(url, 'GET', '/metrics')).text, 'seat_locks_taken_total'),
    );
  }
  const ok = seen.every((value, i) => value >= count && (i === 0 || value >= seen[i - 1]));
  return {
    target: `/metrics with WORKERS=2 shows the whole service (${count} locks taken, 6 scrapes)`,
    measured: `seat_locks_taken_total per scrape: ${seen.join(', ')}`,
    met: ok,
  };
}
