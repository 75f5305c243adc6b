import autocannon, { type Request } from 'autocannon';
import { createHash } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../scripts/postgres/testDatabase';
import { freePort } from '../scripts/freePort';
import { compileBench, type CompiledBench } from './compiled';
import { NodeChild } from './NodeChild';
import type { TargetRow } from './targets';

const KEY = 'sk_bench_events';
const ADMIN = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
/** Idle events made for the memory figure, each of {@link ROWS} × {@link SEATS_PER_ROW} seats. */
const IDLE_EVENTS = 1000;
const ROWS = 10;
const SEATS_PER_ROW = 100;
const MB = 2 ** 20;

/** One side of the throughput comparison: medians over the rounds. */
interface Throughput {
  rps: number;
  /** The server's CPU time per request, µs: steadier than req/s on a shared machine. */
  cpuMicros: number;
}

/** The service as `npm start` runs it, with an API key that may create events. */
function service(compiled: CompiledBench, port: number, databaseUrl = ''): NodeChild {
  return new NodeChild({
    script: compiled.server,
    probe: compiled.probe,
    port,
    env: {
      // The body's userId is trusted: the bench measures events, not credentials.
      AUTH: 'off',
      API_KEYS: createHash('sha256').update(KEY).digest('hex'),
      // The default venue as large as each event: 1,000 seats.
      SEAT_ROWS: String(ROWS),
      SEATS_PER_ROW: String(SEATS_PER_ROW),
      LOCK_TTL_MS: String(60 * 60 * 1000),
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_PER_MINUTE: '1000000',
      MAX_LOCKS_PER_CLIENT: '0',
      LOG_LEVEL: 'error',
    },
  });
}

async function createEvent(url: string, id: string): Promise<void> {
  const res = await fetch(`${url}/events`, {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ id, name: id, layout: { rows: ROWS, seatsPerRow: SEATS_PER_ROW } }),
  });
  if (res.status !== 201) throw new Error(`POST /events ${id}: ${res.status} ${await res.text()}`);
}

/** Runs `work(i)` for `i < count`, `width` at a time. */
async function inParallel(count: number, width: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/**
 * The heap an idle event costs in memory: {@link IDLE_EVENTS} events of 1,000 seats created
 * through the API (a record each), then each opened by one read of a seat (its seat store, event
 * stream and lock caps, as the first request makes them), with no seat ever locked.
 */
async function idleEventMemory(compiled: CompiledBench): Promise<[number, number]> {
  const port = await freePort();
  const child = service(compiled, port);
  await child.start();
  try {
    const url = `http://127.0.0.1:${port}`;
    const before = (await child.memory()).heapUsed;
    await inParallel(IDLE_EVENTS, 16, (i) => createEvent(url, `idle-${i}`));
    const created = (await child.memory()).heapUsed;
    await inParallel(IDLE_EVENTS, 16, async (i) => {
      const res = await fetch(`${url}/events/idle-${i}/seats/A1`);
      if (res.status !== 200) throw new Error(`GET a seat of idle-${i}: ${res.status}`);
    });
    const opened = (await child.memory()).heapUsed;
    return [(created - before) / IDLE_EVENTS, (opened - before) / IDLE_EVENTS];
  } finally {
    await child.stop();
  }
}

/**
 * Each lock-and-release cycle takes the next seat, round the 1,000 (autocannon gives every pass
 * through the request list a fresh context), and locks and releases it as the seat's own user:
 * every answer a 2xx, every request a real transition. A lock left by a round cut short is the
 * same user's, so locking it again succeeds and the release frees it.
 */
function lockReleaseRequests(prefix: string): Request[] {
  let cycles = 0;
  const seatOf = (context: { seat?: string }) => {
    if (context.seat === undefined) {
      const index = cycles++ % (ROWS * SEATS_PER_ROW);
      context.seat = `${String.fromCharCode(65 + Math.floor(index / SEATS_PER_ROW))}${(index % SEATS_PER_ROW) + 1}`;
    }
    return context.seat;
  };
  const action = (name: 'lock' | 'release'): Request => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest(request, context: { seat?: string }) {
      const seat = seatOf(context);
      return {
        ...request,
        path: `${prefix}/seats/${seat}/${name}`,
        body: `{"userId":"u-${seat}"}`,
      };
    },
  });
  return [action('lock'), action('release')];
}

/**
 * Lock-and-release throughput on the default venue and on an event of the same 1,000 seats, on
 * one service (in memory, or on a fresh PostgreSQL database), measured in alternating rounds.
 */
async function lockThroughput(
  compiled: CompiledBench,
  options: { durationS: number; rounds: number; connections: number; pg: boolean },
): Promise<[Throughput, Throughput]> {
  let database: TestDatabase | undefined;
  if (options.pg) {
    const created = await createTestDatabase('seats_bench');
    if (typeof created === 'string') throw new Error(`no PostgreSQL: ${created}`);
    database = created;
  }
  const port = await freePort();
  const child = service(compiled, port, database?.url);
  try {
    await child.start();
    const url = `http://127.0.0.1:${port}`;
    await createEvent(url, 'bench');
    const run = async (prefix: string, duration: number): Promise<Throughput> => {
      const cpuBefore = await child.cpuMicros();
      const result = await autocannon({
        url,
        connections: options.connections,
        duration,
        requests: lockReleaseRequests(prefix),
      });
      if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
        throw new Error(
          `${prefix || 'default'}: ${result.non2xx} non-2xx, ${result.errors} errors`,
        );
      }
      const cpuMicros = (await child.cpuMicros()) - cpuBefore;
      return {
        rps: result.requests.total / result.duration,
        cpuMicros: cpuMicros / result.requests.total,
      };
    };
    await run('', 1);
    await run('/events/bench', 1);
    const venue: Throughput[] = [];
    const event: Throughput[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Each round alternates which goes first.
      const order = round % 2 ? ['event', 'venue'] : ['venue', 'event'];
      for (const which of order) {
        if (which === 'venue') venue.push(await run('', options.durationS));
        else event.push(await run('/events/bench', options.durationS));
      }
    }
    const medians = (runs: Throughput[]) => ({
      rps: median(runs.map((r) => r.rps)),
      cpuMicros: median(runs.map((r) => r.cpuMicros)),
    });
    return [medians(venue), medians(event)];
  } finally {
    await child.stop();
    await database?.drop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });

/**
 * Issue 12's figures: the heap per idle event (1,000 events of 1,000 seats, memory store), and
 * lock throughput on one event of 1,000 seats against the default single venue of 1,000 (memory,
 * and PostgreSQL when `pg`). Returns rows for bench/results.md.
 *
 * @example
 * ```ts
 * const rows = await measureEvents(compileBench(), { durationS: 3, rounds: 3, connections: 50, pg: true });
 * ```
 */
export async function measureEvents(
  compiled: CompiledBench,
  options: { durationS: number; rounds: number; connections: number; pg: boolean },
): Promise<TargetRow[]> {
  const [createdBytes, openedBytes] = await idleEventMemory(compiled);
  const rows: TargetRow[] = [
    {
      target: `${fmt(IDLE_EVENTS)} idle events of 1,000 seats cost ≤ 10 MB of heap in memory, opened or not`,
      measured: `${fmt(createdBytes)} B per event created, ${fmt(openedBytes)} B once opened (its seat store, stream and caps): ${((openedBytes * IDLE_EVENTS) / MB).toFixed(1)} MB for ${fmt(IDLE_EVENTS)}`,
      met: openedBytes * IDLE_EVENTS <= 10 * MB,
    },
  ];
  for (const pg of options.pg ? [false, true] : [false]) {
    const [venue, event] = await lockThroughput(compiled, { ...options, pg });
    rows.push({
      target: `${pg ? 'PostgreSQL' : 'Memory'}: lock+release on an event of 1,000 seats costs the server ≤ 1.25× the CPU per request of the default venue of 1,000`,
      measured: `${fmt(event.cpuMicros)} µs per request on the event, ${fmt(venue.cpuMicros)} µs on the default venue: ${(event.cpuMicros / venue.cpuMicros).toFixed(2)}× (${fmt(event.rps)} and ${fmt(venue.rps)} req/s)`,
      met: event.cpuMicros <= 1.25 * venue.cpuMicros,
    });
  }
  return rows;
}

// `npx ts-node --transpile-only bench/events.ts [--pg]`: these rows alone, short rounds.
if (require.main === module) {
  measureEvents(compileBench(), {
    durationS: 2,
    rounds: 3,
    connections: 50,
    pg: process.argv.includes('--pg'),
  }).then(
    (rows) => {
      for (const row of rows)
        console.log(`${row.met ? 'met' : 'NOT MET'}: ${row.target}\n  ${row.measured}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
