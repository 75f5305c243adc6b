/**
 * Soak: runs the real service in a child process and drives mixed random load at it with the
 * linearizability checker on, then prints what happened. Not part of `npm test`.
 *
 *   npm run soak -- --seconds 60 [--clients 50] [--ttl 50] [--round 2] [--seed 1]
 *
 * Load runs in rounds of `--round` seconds; each round uses fresh seats (8 of them, so clients
 * collide) and fresh users, and its history is checked when the round ends. Exits 1 on any
 * violation, inconclusive check, 5xx or unanswered request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkLinearizable } from '../src/verify/checkLinearizable';
import { runRandomLoad } from '../src/verify/runRandomLoad';
import { Venue } from '../src/venue';
import { freePort } from './freePort';
import { newApiKey } from '../src/auth/ApiKeys';

/** The soak's backend API key (the service gets its digest). */
const SOAK_API_KEY = newApiKey();

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '50' },
    ttl: { type: 'string', default: '50' },
    round: { type: 'string', default: '2' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const ttlMs = Number(values.ttl);
const roundMs = Number(values.round) * 1000;
const seed = Number(values.seed);
const SEATS_PER_ROUND = 8;
const venue = new Venue(100, 100);

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

async function startService(port: number): Promise<ChildProcess> {
  const root = path.resolve(__dirname, '..');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(root, 'src/process/server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        LOCK_TTL_MS: String(ttlMs),
        SEAT_ROWS: String(venue.rows),
        SEATS_PER_ROW: String(venue.seatsPerRow),
        // The whole load comes from this host's one address; the rate limit counts it too.
        RATE_LIMIT_PER_MINUTE: '0',
        MAX_LOCKS_PER_CLIENT: '0',
        // The soak's own backend key: its many users are named by each request's body.
        API_KEYS: SOAK_API_KEY.digest,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  return child;
}

async function main(): Promise<void> {
  const port = await freePort();
  const service = await startService(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const totals = {
    operations: 0,
    histories: 0,
    violations: 0,
    inconclusive: 0,
    unknown: 0,
    statuses: {} as Record<number, number>,
    answers: {} as Record<string, number>,
    maxInFlight: 0,
    checkMs: 0,
    states: 0,
  };
  const rssStart = rssMb(service.pid!);
  let rssWarm = rssStart;
  const heapStart = process.memoryUsage().heapUsed / 1e6;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  console.log(
    `Soak: ${seconds} s, ${clients} clients, lock TTL ${ttlMs} ms, rounds of ${roundMs / 1000} s on ${SEATS_PER_ROUND} fresh seats, seed ${seed}`,
  );

  for (let round = 0; Date.now() < deadline; round++) {
    const seats = Array.from({ length: SEATS_PER_ROUND }, (_, i) =>
      venue.idAt((round * SEATS_PER_ROUND + i) % venue.size),
    );
    const stats = await runRandomLoad({
      headers: { authorization: `Bearer ${SOAK_API_KEY.key}` },
      baseUrl,
      clients,
      seats,
      users: 8,
      seed: seed + round,
      untilMs: Math.min(deadline, Date.now() + roundMs),
      maxPauseMs: Math.round(ttlMs * 1.2),
      userPrefix: `r${round}u`,
    });
    const checkStart = Date.now();
    const report = checkLinearizable(stats.history.operations(), { ttlMs });
    totals.checkMs += Date.now() - checkStart;
    totals.operations += report.operations;
    totals.histories += report.histories;
    totals.violations += report.violations.length;
    totals.inconclusive += report.inconclusive.length;
    totals.unknown += report.unknownOutcomes;
    totals.states += report.states;
    totals.maxInFlight = Math.max(totals.maxInFlight, stats.maxInFlight);
    for (const [status, count] of Object.entries(stats.statuses)) {
      totals.statuses[Number(status)] = (totals.statuses[Number(status)] ?? 0) + count;
    }
    for (const op of stats.history.operations()) {
      const key = op.outcome?.code ?? `${op.kind} ${op.outcome?.state ?? 'unknown'}`;
      totals.answers[key] = (totals.answers[key] ?? 0) + 1;
    }
    for (const violation of report.violations) {
      console.log(`VIOLATION (round ${round}, seed ${seed + round})\n${violation.report}`);
    }
    if (round === 0) rssWarm = rssMb(service.pid!);
    console.log(
      `  round ${round}: ${report.operations} ops on ${report.histories} seats, ` +
        `${report.violations.length} violations, checked in ${Date.now() - checkStart} ms, ` +
        `service RSS ${rssMb(service.pid!)} MB`,
    );
  }

  const elapsed = (Date.now() - started) / 1000;
  const rssEnd = rssMb(service.pid!);
  service.kill();
  const fivexx = Object.entries(totals.statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  const unanswered = totals.statuses[0] ?? 0;
  console.log(
    [
      `Soak finished after ${elapsed.toFixed(1)} s (load and checking)`,
      `  operations:           ${totals.operations} (${Math.round(totals.operations / elapsed)}/s overall)`,
      `  statuses:             ${JSON.stringify(totals.statuses)}`,
      `  answers:              ${JSON.stringify(totals.answers)}`,
      `  histories checked:    ${totals.histories} (per seat; ${totals.states} search states, ${totals.checkMs} ms checking)`,
      `  violations:           ${totals.violations}`,
      `  inconclusive:         ${totals.inconclusive}`,
      `  5xx:                  ${fivexx}`,
      `  unanswered:           ${unanswered}`,
      `  max concurrent:       ${totals.maxInFlight} requests in flight (${clients} clients)`,
      `  service RSS:          ${rssStart} MB at start, ${rssWarm} MB after round 0, ${rssEnd} MB at end`,
      `  driver heap:          ${heapStart.toFixed(1)} MB at start, ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB at end`,
    ].join('\n'),
  );
  const ok =
    totals.violations === 0 && totals.inconclusive === 0 && fivexx === 0 && unanswered === 0;
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
