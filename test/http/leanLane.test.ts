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

/** What a request may name from the answers before it: the n-th lock id or ETag seen. */
interface Earlier {
  lockId(n: number): string;
  etag(n: number): string;
}

/**
 * Sends the same requests to an app with the lean lane and one without; returns both sets of
 * answers, their log lines (time taken left out) and their request metrics.
 */
async function bothWays(options: AppOptions, requests: (earlier: Earlier) => Sent[]) {
  const results = [];
  // How many requests the lane served (the answers must not tell).
  // Called back with its own `this` below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const handle = LeanLane.prototype.handle;
  let served = 0;
  LeanLane.prototype.handle = function (req, res) {
    const mine = handle.call(this, req, res);
    if (mine) served++;
    return mine;
  };
  for (const leanLane of [true, false]) {
    served = 0;
    const log = captureLog('info');
    const app: Served = await serve({
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
      const etags: string[] = [];
      const earlier: Earlier = {
        lockId: (n) => lockIds[n] ?? 'none',
        etag: (n) => etags[n] ?? 'none',
      };
      const count = requests(earlier).length;
      for (let i = 0; i < count; i++) {
        // Built again each time: a request may name a lock id an earlier answer gave.
        const request = requests(earlier)[i];
        const answer = await send(app.port, {
          ...request,
          headers: { 'x-request-id': `r${i}`, ...(request.headers ?? JSON_HEADERS) },
        });
        seen.push(answer);
        const lockId = (answer.body as { lockId?: unknown }).lockId;
        if (typeof lockId === 'string') lockIds.push(lockId);
        if (typeof answer.headers.etag === 'string') etags.push(answer.headers.etag);
      }
      const metrics = (
        await send(app.port, {
          method: 'GET',
          path: '/metrics',
          headers: { 'x-request-id': 'metrics' },
        })
      ).body as string;
      results.push({
        served,
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
      await app.stop();
    }
  }
  LeanLane.prototype.handle = handle;
  return { lean: results[0], express: results[1] };
}

describe('the lean lane: seat reads and actions outside Express', () => {
  it('answers every lock, confirm and release exactly as Express does: statuses, headers, bodies, log lines and metrics', async () => {
    const lock = (seat: string, userId: string, extra: Partial<Sent> = {}): Sent => ({
      path: `/seats/${seat}/lock`,
      body: JSON.stringify({ userId }),
      ...extra,
    });
    const { lean, express } = await bothWays({}, (earlier) => [
      lock('A1', 'alice'),
      lock('A1', 'alice'),
      lock('A1', 'bob'),
      {
        path: '/seats/A1/confirm',
        body: JSON.stringify({ userId: 'alice', lockId: earlier.lockId(0) }),
      },
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
    // Every request but the seven left to Express; none without the lane.
    expect([lean.served, express.served]).to.deep.equal([16, 0]);
  });

  it('answers every seat read exactly as Express does: ETags, 304s, pages, 400s, 404s, and the routes before it', async () => {
    const get = (path: string, headers: Record<string, string> = {}): Sent => ({
      method: 'GET',
      path,
      headers,
    });
    const { lean, express } = await bothWays({}, (earlier) => [
      { path: '/seats/A1/lock', body: JSON.stringify({ userId: 'alice' }) },
      get('/seats/A1'),
      get('/seats/A1', { 'if-none-match': earlier.etag(0) }),
      get('/seats/A1', { 'if-none-match': 'W/"other"' }),
      get('/seats/A1', { 'if-none-match': earlier.etag(0), 'cache-control': 'no-cache' }),
      get('/seats/Z99'),
      get('/events/default/seats/A1'),
      get('/events/nope/seats/A1'),
      get('/seats?limit=3'),
      get('/seats?state=available&limit=2&after=A1'),
      get('/seats?state=locked'),
      get('/seats?limit=abc'),
      get('/seats?limit=2&limit=3'),
      get('/seats?limit=%32'),
      get('/events/default/seats?limit=2'),
      // Routes declared before /seats/:id, and requests left to Express.
      get('/seats/summary'),
      get('/seats/SUMMARY'),
      get('/events/default/seats/Summary'),
      get('/seats/A1#x'),
      get('/seats?limit=1#x'),
      get('/seats/A1/'),
      get('/Seats/A1'),
      { method: 'HEAD', path: '/seats/A1', headers: {} },
      {
        method: 'GET',
        path: '/seats/A2',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
    ]);
    expect(lean.seen).to.deep.equal(express.seen);
    expect(lean.log).to.deep.equal(express.log);
    expect(lean.metrics).to.deep.equal(express.metrics);
    expect(lean.seen.map((s) => s.status)).to.deep.equal([
      200, 200, 304, 200, 200, 404, 200, 404, 200, 200, 200, 400, 400, 200, 200, 200, 200, 200, 200,
      200, 200, 200, 200, 200,
    ]);
    expect(lean.seen[1].headers.etag).to.match(/^W\/"/);
    expect(lean.seen[15].body).to.have.property('available');
    expect([lean.served, express.served]).to.deep.equal([15, 0]);
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
      parseQuery: () => ({}),
      clientAddress: (req) => req.socket.remoteAddress,
      notFound: (req, res) => {
        served.push(`404 ${req.url}`);
        res.end();
      },
      logUnanswered: () => undefined,
    });
    lane.add('post', '/seats/:id/lock', [answer]);
    const handle = (method: string, url: string) => {
      const req = {
        method,
        url,
        headers: {},
        socket: { remoteAddress: '127.0.0.1' },
      } as IncomingMessage;
      const res = { end: () => undefined } as unknown as ServerResponse;
      return lane.handle(req, res);
    };
    lane.add('get', '/seats/summary');
    lane.add('get', '/seats/:id', [answer]);
    // A route whose handler passes the request on: Express would answer 404, and so does the lane.
    lane.add('post', '/seats/:id/release', [(_req, _res, next) => next()]);
    expect(handle('POST', '/seats/A1/lock')).to.equal(true);
    expect(handle('GET', '/seats/A2?x=1')).to.equal(true);
    expect(handle('POST', '/seats/A1/release')).to.equal(true);
    expect(served).to.deep.equal([
      'POST A1 127.0.0.1',
      'GET A2 127.0.0.1',
      '404 /seats/A1/release',
    ]);
    for (const [method, url] of [
      ['GET', '/seats/summary'],
      // Express matches letter case aside: its /seats/summary comes before /seats/:id.
      ['GET', '/seats/SUMMARY'],
      ['GET', '/seats/A1#x'],
      ['GET', '/seats?limit=1#x'],
      ['POST', '/seats/A1\\confirm/lock'],
      ['GET', '/seats/A1 '],
      ['HEAD', '/seats/A1'],
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
    expect(served).to.have.length(3);
  });
});
