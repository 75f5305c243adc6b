import { expect } from 'chai';
import express from 'express';
import helmet from 'helmet';
import type { AddressInfo } from 'node:net';
import { securityHeaders } from '../../src/http/securityHeaders';
import { SimulatedClock, createActor } from 'xstate';
import { userLocksMachine, type UserLocksReply } from '../../machines/userLocksMachine';
import { systemClock, type Clock } from '../../src/clock';
import { ConfigError, loadConfig } from '../../src/config';
import { MemoryLockQuota } from '../../src/store/memory/MemoryLockQuota';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import type { SeatTransition } from '../../src/store/SeatStore';
import { Venue } from '../../src/venue';
import type { Caller } from '../../src/auth/Caller';
import { errorHandler } from '../../src/http/errorHandler';
import { seatActionRateLimit } from '../../src/http/rateLimit';
import { codeOf, expectProblem, ok } from '../support/api';
import { serve, type Served } from '../support/serve';
import { guestSession } from '../support/credentials';

describe('abuse limits', () => {
  let api: Served;
  afterEach(async () => api?.stop());

  describe('rate limit on seat actions', () => {
    it('answers 429 RATE_LIMITED with Retry-After past the limit; reads stay open', async () => {
      api = await serve({ rateLimitPerMinute: 3, maxLocksPerUser: 0 });
      const statuses: number[] = [];
      for (const action of ['lock', 'release', 'lock', 'confirm']) {
        const res = await api.call('POST', `/seats/A1/${action}`, { body: { userId: 'u' } });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(codeOf(res)).to.equal('RATE_LIMITED');
          expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
        }
      }
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      expect((await api.api.get('A1')).status).to.equal(200);
      const metrics = (await api.call('GET', '/metrics')).text;
      expect(metrics).to.include('route="/seats/:id/confirm",status="429"} 1');
    });

    it('is off by default in createApp and with RATE_LIMIT_PER_MINUTE=0; the service default is 600', async () => {
      api = await serve({ maxLocksPerUser: 0 });
      for (let i = 0; i < 5; i++) {
        const res = await api.call('POST', '/seats/A1/lock', { body: { userId: 'u' } });
        expect(res.status).to.equal(200);
      }
      expect(loadConfig({}).RATE_LIMIT_PER_MINUTE).to.equal(600);
      expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).RATE_LIMIT_PER_MINUTE).to.equal(0);
      expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).to.throw(ConfigError);
    });
    it('counts this host’s own clients too, and believes X-Forwarded-For only from the listed proxies', async () => {
      // A guest, not the test API key: a key has a bucket of its own, whatever the address.
      const asGuest = async (headers: Record<string, string> = {}) => {
        const guest = await guestSession(api.url);
        return { ...headers, ...(await guest.credentials(undefined)) };
      };
      api = await serve({ rateLimitPerMinute: 2, maxLocksPerUser: 0 });
      const guest = await asGuest();
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await api.call('POST', '/seats/A1/lock', { body: {}, headers: guest })).status,
        );
      }
      expect(statuses, 'a loopback client is limited like any other').to.deep.equal([
        200, 200, 429,
      ]);
      await api.stop();

      api = await serve({ rateLimitPerMinute: 2, trustProxy: ['loopback'], maxLocksPerUser: 0 });
      let credentials = await asGuest();
      const forwarded = (xff: string) =>
        api.call('POST', '/seats/A1/lock', {
          body: {},
          headers: { 'x-forwarded-for': xff, ...credentials },
        });
      const viaProxy = [];
      for (let i = 0; i < 3; i++) viaProxy.push((await forwarded('203.0.113.7')).status);
      expect(
        viaProxy,
        'a client behind a listed proxy is counted by its own address',
      ).to.deep.equal([200, 200, 429]);
      expect((await forwarded('198.51.100.1')).status, 'another client').to.equal(200);
      expect(
        (await forwarded('192.0.2.50, 203.0.113.7')).status,
        'an address the client put in front of the one the proxy added is not believed',
      ).to.equal(429);
      await api.stop();

      api = await serve({ rateLimitPerMinute: 2, trustProxy: ['10.0.0.0/8'], maxLocksPerUser: 0 });
      credentials = await asGuest();
      const picked = [];
      for (const xff of ['192.0.2.1', '192.0.2.2', '192.0.2.3'])
        picked.push((await forwarded(xff)).status);
      expect(picked, 'a client that is not a listed proxy cannot pick its bucket').to.deep.equal([
        200, 200, 429,
      ]);
    });

    it('buckets an API-key caller by its key, whatever the address', async () => {
      const limit = seatActionRateLimit(2);
      const app = express();
      app.use((req, res, next) => {
        const key = req.get('x-test-key');
        const caller: Caller = key
          ? { kind: 'apiKey', userId: 'u', clientAddress: '127.0.0.1', apiKeyId: key }
          : { kind: 'session', userId: 'u', clientAddress: '127.0.0.1' };
        res.locals.caller = caller;
        next();
      });
      app.post('/act', limit.middleware, (_req, res) => res.sendStatus(204));
      app.use(errorHandler(() => {}));
      const server = app.listen(0);
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/act`;
      const act = async (key?: string) =>
        (await fetch(url, { method: 'POST', headers: key ? { 'x-test-key': key } : {} })).status;
      try {
        expect([await act('k1'), await act('k1'), await act('k1')]).to.deep.equal([204, 204, 429]);
        expect(await act('k2'), 'another key has its own budget').to.equal(204);
        expect(await act(), 'the address itself has not been charged by the keys').to.equal(204);
      } finally {
        server.close();
        limit.close();
      }
    });

    it('tells every limited request its budget in the IETF draft-8 headers', async () => {
      api = await serve({ rateLimitPerMinute: 2, maxLocksPerUser: 0 });
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await api.call('POST', '/seats/A1/lock', { body: { userId: 'u' } }));
      }
      const policy = answers[0].headers.get('ratelimit-policy');
      expect(policy).to.match(/^"2-in-1min"; q=2; w=60; pk=:[A-Za-z0-9+/]{16}:$/);
      expect(answers.map((a) => a.headers.get('ratelimit-policy'))).to.deep.equal([
        policy,
        policy,
        policy,
      ]);
      const left = answers.map((a) =>
        /^"2-in-1min"; r=(\d+); t=(\d+)$/.exec(a.headers.get('ratelimit')!),
      );
      expect(left.map((m) => m?.[1])).to.deep.equal(['1', '0', '0']);
      expect(Number(left[2]![2])).to.be.within(1, 60);
      expect(answers[2].status).to.equal(429);
      expect((await api.call('GET', '/seats/A1')).headers.get('ratelimit'), 'reads').to.equal(null);
    });

    it('TRUST_PROXY takes proxy addresses, never a hop count', () => {
      expect(loadConfig({}).TRUST_PROXY).to.deep.equal([]);
      expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).TRUST_PROXY).to.deep.equal([
        'loopback',
        '10.0.0.0/8',
        '::1',
      ]);
      expect(() => loadConfig({ TRUST_PROXY: '1' })).to.throw(ConfigError, /not a count/);
      expect(() => loadConfig({ TRUST_PROXY: 'yes' })).to.throw(ConfigError, /TRUST_PROXY/);
      expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).to.throw(ConfigError);
    });
  });

  describe('MAX_LOCKS_PER_USER (decided by userLocksMachine)', () => {
    const lock = (seat: string, userId = 'alice') => api.api.lock(seat, userId);

    it('refuses a lock past the cap with 409 TOO_MANY_LOCKS; release, confirm and expiry free places', async () => {
      const clock = new SimulatedClock();
      api = await serve({ rows: 1, seatsPerRow: 6, clock, lockTtlMs: 1000, maxLocksPerUser: 2 });
      const first = await lock('A1');
      await lock('A2');
      const refused = await lock('A3');
      expect(refused.status).to.equal(409);
      expect(expectProblem(refused, 409, 'TOO_MANY_LOCKS').detail).to.include('2');
      expect(refused.text).not.to.include('alice');
      expect(ok(await api.api.get('A3')).seat.state).to.equal('available');
      expect((await lock('A1')).status, 'a retry on a held seat').to.equal(200);
      expect((await lock('A3', 'bob')).status, 'other users are not affected').to.equal(200);

      await api.api.release('A2', 'alice');
      expect((await lock('A4')).status).to.equal(200);
      await api.api.confirm('A1', 'alice', ok(first).lockId);
      expect((await lock('A5')).status).to.equal(200);
      expect(codeOf(await lock('A6'))).to.equal('TOO_MANY_LOCKS');
      clock.increment(1000); // A4 and A5 lapse
      expect((await lock('A6')).status).to.equal(200);
    });

    it('lets only `max` of many concurrent lock requests by one user through', async () => {
      // A store that answers a turn later, like a database: requests really overlap.
      class SlowStore extends MemorySeatStore {
        override async apply(...args: Parameters<MemorySeatStore['apply']>) {
          await new Promise((resolve) => setImmediate(resolve));
          return super.apply(...args);
        }
      }
      const store = new SlowStore({ venue: new Venue(1, 8), ttlMs: 60_000, clock: systemClock });
      api = await serve({ store, maxLocksPerUser: 3 });
      const seats = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
      const results = await Promise.allSettled(seats.map((seat) => api.service.lock(seat, 'al')));
      const codes = results.map((r) =>
        r.status === 'fulfilled' ? 'OK' : (r.reason as { code?: string }).code,
      );
      expect(codes.filter((c) => c === 'OK')).to.have.length(3);
      expect(codes.filter((c) => c === 'TOO_MANY_LOCKS')).to.have.length(5);
      expect((await api.service.summary()).locked).to.equal(3);
      expect((await api.call('GET', '/metrics')).text).to.include(
        'seat_requests_refused_total{code="TOO_MANY_LOCKS"} 5',
      );
    });

    it('counts a due lock taken over by another user as ended for its old holder', async () => {
      // A clock whose timers never fire: the lapsed lock is only noticed by the next LOCK.
      let now = 0;
      const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
      const store = new MemorySeatStore({ venue: new Venue(1, 2), ttlMs: 1000, clock });
      const quota = new MemoryLockQuota(store, 1);
      const seen: SeatTransition[] = [];
      store.subscribe((t) => seen.push(t));
      const take = (seat: string, userId: string) =>
        quota.admit(userId, seat, () =>
          store.apply(seat, { type: 'LOCK', userId, lockId: `${userId}-${seat}`, now }),
        );
      expect((await take('A1', 'alice')).ok).to.equal(true);
      now = 1000;
      expect((await take('A1', 'bob')).ok).to.equal(true);
      expect(seen.map(({ from, to, reason, userId }) => [from, to, reason, userId])).to.deep.equal([
        ['available', 'locked', 'locked', 'alice'],
        ['locked', 'available', 'expired', 'alice'],
        ['available', 'locked', 'locked', 'bob'],
      ]);
      expect(quota.heldBy('alice')).to.deep.equal([]);
      expect(quota.heldBy('bob')).to.deep.equal(['A1']);
      expect((await take('A2', 'bob')).ok).to.equal(false);
      expect((await take('A2', 'alice')).ok).to.equal(true);
      quota.close();
      await store.close();
    });

    it('the machine: open under the cap, full at it, retries on held seats accepted', () => {
      const user = createActor(userLocksMachine, { input: { max: 2 } }).start();
      const replies: UserLocksReply[] = [];
      user.on('*', (reply) => replies.push(reply));
      const request = (seatId: string) => {
        user.send({ type: 'REQUEST_LOCK', seatId });
        return replies.at(-1)?.type;
      };
      expect(user.getSnapshot().value).to.equal('open');
      user.send({ type: 'LOCK_TAKEN', seatId: 'A1' });
      user.send({ type: 'LOCK_TAKEN', seatId: 'A1' }); // the same lock told twice counts once
      expect(request('A2')).to.equal('user.accepted');
      user.send({ type: 'LOCK_TAKEN', seatId: 'A2' });
      expect(user.getSnapshot().value).to.equal('full');
      expect(request('A3')).to.equal('user.refused');
      expect(replies.at(-1)).to.deep.equal({
        type: 'user.refused',
        code: 'TOO_MANY_LOCKS',
        held: 2,
        max: 2,
      });
      expect(request('A2')).to.equal('user.accepted');
      user.send({ type: 'LOCK_ENDED', seatId: 'A1' });
      expect(user.getSnapshot().value).to.equal('open');
      expect(request('A3')).to.equal('user.accepted');
    });

    it('MAX_LOCKS_PER_USER defaults to 10; 0 turns the cap off', async () => {
      expect(loadConfig({}).MAX_LOCKS_PER_USER).to.equal(10);
      expect(loadConfig({ MAX_LOCKS_PER_USER: '0' }).MAX_LOCKS_PER_USER).to.equal(0);
      api = await serve({ rows: 1, seatsPerRow: 12 });
      const statuses = [];
      for (let i = 1; i <= 11; i++) statuses.push((await lock(`A${i}`)).status);
      expect(statuses.filter((s) => s === 200)).to.have.length(10);
      expect(statuses[10]).to.equal(409);
    });
  });

  describe('headers', () => {
    it('sends helmet security headers on every answer', async () => {
      api = await serve();
      for (const path of ['/seats/A1', '/docs', '/nowhere']) {
        const { headers } = await api.call('GET', path);
        expect(headers.get('x-content-type-options'), path).to.equal('nosniff');
        expect(headers.get('content-security-policy'), path).to.include("default-src 'self'");
        expect(headers.get('x-frame-options'), path).to.equal('SAMEORIGIN');
        expect(headers.get('x-powered-by'), path).to.equal(null);
      }
    });

    it('sends exactly the headers helmet itself would send', async () => {
      const options = { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } };
      const plain = express()
        .use(helmet(options))
        .get('/', (_req, res) => res.send('x'));
      const replayed = express()
        .use(securityHeaders(options))
        .get('/', (_req, res) => res.send('x'));
      const headersOf = async (app: express.Express) => {
        const server = app.listen(0);
        await new Promise((resolve) => server.once('listening', resolve));
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        server.close();
        const headers = Object.fromEntries(res.headers);
        delete headers.date;
        return headers;
      };
      expect(await headersOf(replayed)).to.deep.equal(await headersOf(plain));
    });

    it('allows cross-origin calls only from CORS_ORIGIN', async () => {
      expect(loadConfig({}).CORS_ORIGIN).to.equal(undefined);
      expect(loadConfig({ CORS_ORIGIN: '*' }).CORS_ORIGIN).to.equal('*');
      const origins = loadConfig({ CORS_ORIGIN: 'https://a.example, http://localhost:5173' });
      expect(origins.CORS_ORIGIN).to.deep.equal(['https://a.example', 'http://localhost:5173']);
      expect(() => loadConfig({ CORS_ORIGIN: 'a.example' })).to.throw(ConfigError, /CORS_ORIGIN/);

      api = await serve({ corsOrigin: origins.CORS_ORIGIN });
      const from = (origin: string) =>
        api.call('GET', '/seats/A1', { headers: { Origin: origin } });
      expect((await from('https://a.example')).headers.get('access-control-allow-origin')).to.equal(
        'https://a.example',
      );
      expect((await from('https://evil.example')).headers.get('access-control-allow-origin')).to.be
        .null;
      const preflight = await fetch(`${api.url}/seats/A1/lock`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-methods')).to.include('POST');
      await api.stop();

      api = await serve();
      expect((await from('https://a.example')).headers.get('access-control-allow-origin')).to.be
        .null;
    });
  });
});
