import { expect } from 'chai';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { AppOptions } from '../../src/app';
import { LeanLane } from '../../src/http/LeanLane';
import { ManualClock } from '../support/ManualClock';
import { TEST_HEADERS } from '../support/credentials';
import { captureLog } from '../support/logLines';
import { serve, type Served } from '../support/serve';

/** One request as the test sends it: method, path, headers and the raw body. */
interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** An answer, everything a client can see of it but its date (and the lock ids, which are random). */
interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const JSON_HEADERS = { ...TEST_HEADERS, 'content-type': 'application/json' };

function send(port: number, { method = 'POST', path, headers = JSON_HEADERS, body }: Sent) {
  return new Promise<Seen>((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        method,
        path,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const headers = { ...res.headers };
          delete headers.date;
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: compared as text
          }
          resolve({ status: res.statusCode!, headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Lock ids are random: each app's own, named by their order of appearance. */
function withoutLockIds(seen: Seen[]): Seen[] {
  const names = new Map<string, string>();
  const text = JSON.stringify(seen).replace(/"lockId":"([^"]+)"/g, (_m, id: string) => {
    if (!names.has(id)) names.set(id, `lock-${names.size + 1}`);
    return `"lockId":"${names.get(id)}"`;
  });
  const lengths = text.replace(/"content-length":"\d+"/g, '"content-length":"n"');
  return JSON.parse(lengths) as Seen[];
}

/**
 * Sends the same requests to an app with the lean lane and one without; returns both sets of
 * answers, their log lines (time taken left out) and their request metrics.
 */
async function bothWays(
  options: AppOptions,
  requests: (lockIdOf: (n: number) => string) => Sent[],
) {
  const results = [];
  for (const leanLane of [true, false]) {
    const log = captureLog('info');
    const served: Served = await serve({
      rows: 2,
      seatsPerRow: 5,
      clock: new ManualClock(),
      logger: log.logger,
      ...options,
      leanLane,
    });
    try {
      const seen: Seen[] = [];
      const lockIds: string[] = [];
      const lockIdOf = (n: number) => lockIds[n] ?? 'none';
      const count = requests(lockIdOf).length;
      for (let i = 0; i < count; i++) {
        // Built again each time: a request may name a lock id an earlier answer gave.
        const request = requests(lockIdOf)[i];
        const answer = await send(served.port, {
          ...request,
          headers: { 'x-request-id': `r${i}`, ...(request.headers ?? JSON_HEADERS) },
        });
        seen.push(answer);
        const lockId = (answer.body as { lockId?: unknown }).lockId;
        if (typeof lockId === 'string') lockIds.push(lockId);
      }
      const metrics = (
        await send(served.port, {
          method: 'GET',
          path: '/metrics',
          headers: { 'x-request-id': 'metrics' },
        })
      ).body as string;
      results.push({
        seen: withoutLockIds(seen),
        log: log.lines.map(
          ({ time: _t, responseTime: _r, pid: _p, hostname: _h, ...line }) => line,
        ),
        metrics: metrics
          .split('\n')
          .filter((line) => line.startsWith('http_requests_total{'))
          .filter((line) => !line.includes('route="/metrics"'))
          .sort(),
      });
    } finally {
      await served.stop();
    }
  }
  return { lean: results[0], express: results[1] };
}

describe('the lean lane: lock, confirm and release outside Express', () => {
  it('answers every lock, confirm and release exactly as Express does: statuses, headers, bodies, log lines and metrics', async () => {
    const lock = (seat: string, userId: string, extra: Partial<Sent> = {}): Sent => ({
      path: `/seats/${seat}/lock`,
      body: JSON.stringify({ userId }),
      ...extra,
    });
    const { lean, express } = await bothWays({}, (lockIdOf) => [
      lock('A1', 'alice'),
      lock('A1', 'alice'),
      lock('A1', 'bob'),
      { path: '/seats/A1/confirm', body: JSON.stringify({ userId: 'alice', lockId: lockIdOf(0) }) },
      { path: '/seats/A1/release', body: JSON.stringify({ userId: 'alice' }) },
      { path: '/seats/A2/release', body: JSON.stringify({ userId: 'alice' }) },
      lock('Z99', 'alice'),
      lock('A3', 'alice', { headers: { 'content-type': 'application/json' } }),
      lock('A3', 'alice', {
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key' },
      }),
      lock('A3', 'alice', { headers: { ...JSON_HEADERS, authorization: 'Basic abc' } }),
      { path: '/seats/A3/lock', body: '{"userId":' },
      { path: '/seats/A3/lock', body: '{}' },
      { path: '/seats/A3/lock', body: JSON.stringify({ userId: '' }) },
      { path: '/seats/A3/lock', body: '"alice"' },
      { path: '/events/default/seats/A4/lock', body: JSON.stringify({ userId: 'carol' }) },
      { path: '/events/nope/seats/A4/lock', body: JSON.stringify({ userId: 'carol' }) },
      // Left to Express by the lane, answered the same.
      lock('A5', 'dave', { path: '/seats/A5/lock/' }),
      lock('B1', 'dave', { path: '/SEATS/B1/lock' }),
      lock('B2', 'dave', { path: '/seats/B%32/lock' }),
      lock('B3', 'dave', { path: '/seats/B3/lock?x=1' }),
      lock('B4', 'dave', {
        headers: { ...JSON_HEADERS, 'content-type': 'application/json; charset=latin1' },
      }),
      { path: '/seats/B5/lock', body: JSON.stringify({ userId: 'e', pad: 'x'.repeat(17_000) }) },
      { method: 'PUT', path: '/seats/B5/lock', body: JSON.stringify({ userId: 'e' }) },
    ]);
    expect(lean.seen).to.deep.equal(express.seen);
    expect(lean.log).to.deep.equal(express.log);
    expect(lean.metrics).to.deep.equal(express.metrics);
    expect(lean.seen.map((s) => s.status)).to.deep.equal([
      200, 200, 409, 200, 409, 409, 404, 401, 401, 401, 400, 400, 400, 400, 200, 404, 200, 200, 200,
      200, 415, 413, 404,
    ]);
    expect(lean.metrics.join('\n')).to.include('route="/events/:eventId/seats/:id/lock"');
  });

  it('counts the rate limit per client address, behind a trusted proxy too, as Express does', async () => {
    const requests = (): Sent[] =>
      ['203.0.113.7', '203.0.113.7', '203.0.113.7', '198.51.100.1'].map((address, i) => ({
        path: `/seats/A${i + 1}/lock`,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ userId: `u${i}` }),
      }));
    // Guest-like callers (AUTH=off): counted by address, so the limit and the lock caps see req.ip.
    const options: AppOptions = {
      openAuth: true,
      rateLimitPerMinute: 2,
      trustProxy: ['loopback'],
      maxLocksPerClient: 5,
    };
    const { lean, express } = await bothWays(options, requests);
    expect(lean.seen).to.deep.equal(express.seen);
    expect(lean.seen.map((s) => s.status)).to.deep.equal([200, 200, 429, 200]);
    expect(lean.seen[2].headers['retry-after']).to.be.a('string');
    // Each address has a bucket of its own: the fourth request is its address's first.
    expect(lean.seen[3].headers.ratelimit).to.match(/; r=1; /);
  });

  it('serves only the literal paths it was given, and leaves every other request alone', () => {
    const served: string[] = [];
    const answer: RequestHandler = (req, res) => {
      served.push(`${req.method} ${String(req.params.id)} ${(req as { ip?: string }).ip}`);
      res.end();
    };
    const lane = new LeanLane({
      front: [],
      body: { middleware: (_req, _res, next) => next(), readsItself: () => true },
      answerError: (_err, _req, res) => void res.end(),
      trust: () => false,
      trustsProxy: false,
    });
    lane.add('post', '/seats/:id/lock', [answer]);
    const handle = (method: string, url: string) => {
      const req = { method, url, socket: { remoteAddress: '127.0.0.1' } } as IncomingMessage;
      const res = { end: () => undefined } as unknown as ServerResponse;
      return lane.handle(req, res);
    };
    expect(handle('POST', '/seats/A1/lock')).to.equal(true);
    expect(served).to.deep.equal(['POST A1 127.0.0.1']);
    for (const [method, url] of [
      ['GET', '/seats/A1/lock'],
      ['POST', '/seats/A1/lock/'],
      ['POST', '/Seats/A1/lock'],
      ['POST', '/seats/A%31/lock'],
      ['POST', '/seats/A1/lock?userId=a'],
      ['POST', '/seats//lock'],
      ['POST', '/seats/A1/confirm'],
    ]) {
      expect(handle(method, url), `${method} ${url}`).to.equal(false);
    }
    expect(served).to.have.length(1);
  });
});
