/**
 * `npm run bench:floor`: what a request costs before any of the service's own work, on Node's bare
 * HTTP server and inside Express. Four servers answer the same lock request (read a JSON body, add
 * the seat to a Set, answer the lock's JSON), each in its own process, driven in turn by autocannon
 * with 50 connections; CPU µs per request from `/proc` (the server process only):
 *
 * - `node`: `http.createServer`, the body read and answered by hand;
 * - `node + prototypes`: the same, plus the two `Object.setPrototypeOf` calls Express makes on every
 *   request and response (what `LeanLane` avoids);
 * - `express`: Express 5 with that handler alone (no body parser, no ETag);
 * - `express + json`: the bench's baseline way, `express.json()` and `res.json`.
 *
 *   npm run bench:floor              # 3 rounds of 4 s (about a minute)
 *   npm run bench:floor -- --quick   # 1 round of 2 s
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import express from 'express';

const KINDS = ['node', 'node + prototypes', 'express', 'express + json'] as const;
type Kind = (typeof KINDS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    serve: { type: 'string' },
  },
});

const locked = new Set<string>();

/** The lock's answer, as the baseline words it. */
function lockAnswer(id: string): string {
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  return JSON.stringify({
    message: `Seat ${id} is locked for you until 12:00:00Z; confirm it before then.`,
    seat: { id, state: 'locked', expiresAt },
    lockId: randomUUID().slice(0, 21),
    expiresAt,
  });
}

/** Reads the body, records the lock, answers it: the same work on every server. */
function lockByHand(req: IncomingMessage, res: ServerResponse, id: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { userId?: unknown };
    if (typeof body.userId !== 'string') {
      res.statusCode = 400;
      res.end();
      return;
    }
    locked.add(id);
    const text = lockAnswer(id);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  });
}

const LOCK_PATH = /^\/seats\/([^/]+)\/lock$/;

function serve(kind: Kind): void {
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  if (kind === 'node' || kind === 'node + prototypes') {
    const app = express();
    const withPrototypes = kind === 'node + prototypes';
    handler = (req, res) => {
      if (withPrototypes) {
        Object.setPrototypeOf(req, (app as unknown as { request: object }).request);
        Object.setPrototypeOf(res, (app as unknown as { response: object }).response);
      }
      const id = LOCK_PATH.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || id === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      lockByHand(req, res, id);
    };
  } else if (kind === 'express') {
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.post('/seats/:id/lock', (req, res) => lockByHand(req, res, req.params.id));
    handler = app;
  } else {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '16kb' }));
    app.post('/seats/:id/lock', (req, res) => {
      if (typeof (req.body as { userId?: unknown } | undefined)?.userId !== 'string') {
        res.status(400).end();
        return;
      }
      locked.add(req.params.id);
      res.type('application/json').send(lockAnswer(req.params.id));
    });
    handler = app;
  }
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
}

/** The process's CPU time so far, in µs (user + system, from /proc; clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Figure {
  reqPerSec: number;
  cpuPerRequest: number;
}

async function drive(port: number, pid: number, seconds: number, round: number): Promise<Figure> {
  let n = 0;
  const requests = [
    {
      method: 'POST' as const,
      setupRequest: (request: autocannon.Request) => ({
        ...request,
        path: `/seats/R${round}S${n++}/lock`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: `u${n % 5000}` }),
      }),
    },
  ];
  const before = cpuMicros(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration: seconds,
    requests,
  });
  const used = cpuMicros(pid) - before;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} answers were not 200, ${result.errors} errors`);
  }
  return { reqPerSec: result.requests.average, cpuPerRequest: used / result.requests.total };
}

function start(kind: Kind): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['--serve', kind], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code})`)));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  const rounds = args.quick ? 1 : 3;
  const seconds = args.quick ? 2 : 4;
  const servers = await Promise.all(KINDS.map(async (kind) => ({ kind, ...(await start(kind)) })));
  try {
    const figures = new Map<Kind, Figure[]>(KINDS.map((kind) => [kind, []]));
    for (const { port, child } of servers) await drive(port, child.pid!, 1, -1); // warm up
    for (let round = 0; round < rounds; round++) {
      for (const { kind, port, child } of servers) {
        figures.get(kind)!.push(await drive(port, child.pid!, seconds, round));
      }
    }
    console.log(
      `\n${rounds} round(s) of ${seconds} s per server, 50 connections, medians; CPU of the server process from /proc.\n`,
    );
    console.log('| server | CPU µs per request | req/s |\n|---|--:|--:|');
    for (const kind of KINDS) {
      const all = figures.get(kind)!;
      const cpu = median(all.map((f) => f.cpuPerRequest));
      const rps = median(all.map((f) => f.reqPerSec));
      console.log(`| ${kind} | ${cpu.toFixed(0)} | ${Math.round(rps).toLocaleString('en')} |`);
    }
  } finally {
    for (const { child } of servers) child.kill();
  }
}

if (args.serve !== undefined) {
  if (!(KINDS as readonly string[]).includes(args.serve))
    throw new Error(`No server ${args.serve}`);
  serve(args.serve as Kind);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
