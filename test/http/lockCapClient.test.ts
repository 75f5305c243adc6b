import { expect } from 'chai';
import type { Request, Response } from 'express';
import type { Caller } from '../../src/auth/Caller';
import { lockCapClient } from '../../src/http/lockCapClient';
import type { HoldEnvelope } from '../../src/http/holdSchemas';
import type { LockResponse } from '../../src/http/schemas';
import { codeOf, expectProblem, ok } from '../support/api';
import { guestSession, type GuestSessionCredentials } from '../support/credentials';
import { serve, type Served } from '../support/serve';

describe('MAX_LOCKS_PER_CLIENT over HTTP (in memory)', () => {
  let api: Served;
  /** Each user of a test is a guest session (the cap counts guest sessions, not API keys). */
  let sessions: Map<string, GuestSessionCredentials>;
  beforeEach(() => (sessions = new Map()));
  afterEach(async () => api?.stop());

  /** A request as guest `user` (their session started on first use), from the address `from`. */
  const as = async (user: string, action: string, seat: string, from?: string) => {
    const forwarded: Record<string, string> = from ? { 'x-forwarded-for': from } : {};
    let session = sessions.get(user);
    if (!session) sessions.set(user, (session = await guestSession(api.url, forwarded)));
    return api.api.reply<LockResponse>('POST', `/seats/${seat}/${action}`, {
      body: {},
      headers: { ...forwarded, ...(await session.credentials(undefined)) },
    });
  };
  /** A lock as guest `user`, from the client address `from` (told by a trusted proxy). */
  const lock = (seat: string, user: string, from?: string) => as(user, 'lock', seat, from);

  it('refuses the lock past the cap for all the users of one address, and tells nobody how many others hold', async () => {
    api = await serve({ rows: 1, seatsPerRow: 8, maxLocksPerClient: 3, trustProxy: ['loopback'] });
    const statuses = [];
    for (const [seat, user] of [
      ['A1', 'u1'],
      ['A2', 'u2'],
      ['A3', 'u3'],
    ])
      statuses.push((await lock(seat, user, '203.0.113.9')).status);
    expect(statuses).to.deep.equal([200, 200, 200]);
    const refused = await lock('A4', 'u4', '203.0.113.9');
    expect(refused.status).to.equal(409);
    const problem = expectProblem(refused, 409, 'TOO_MANY_CLIENT_LOCKS');
    expect(problem.detail).to.match(/network address/);
    expect(problem.detail, 'no count of what others behind it hold').not.to.match(/hold \d/);
    for (const other of ['u1', 'u2', 'u3'])
      expect(refused.text).not.to.include(sessions.get(other)!.userId);
    expect(ok(await api.api.get('A4')).seat.state).to.equal('available');

    expect((await lock('A1', 'u1', '203.0.113.9')).status, 'a retry on a held seat').to.equal(200);
    expect((await lock('A4', 'u4', '198.51.100.2')).status, 'another address').to.equal(200);
    ok(await as('u2', 'release', 'A2', '203.0.113.9'));
    expect((await lock('A5', 'u5', '203.0.113.9')).status, 'a release frees a place').to.equal(200);
    const metrics = (await api.call('GET', '/metrics')).text;
    expect(metrics).to.include('seat_requests_refused_total{code="TOO_MANY_CLIENT_LOCKS"} 1');
  });

  it('counts held seats against the address across guest sessions, all or nothing, when holding and adding seats', async () => {
    api = await serve({ rows: 1, seatsPerRow: 8, maxLocksPerClient: 3, trustProxy: ['loopback'] });
    /** A new guest session opened from `from`: the headers its requests send, and its user. */
    const guest = async (from = '203.0.113.9') => {
      const { token, userId } = (
        await api.call('POST', '/sessions', {
          headers: { 'x-forwarded-for': from },
        })
      ).body as { token: string; userId: string };
      return { userId, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } };
    };
    const states = async (...ids: string[]) =>
      Promise.all(ids.map(async (id) => ok(await api.api.get(id)).seat.state));
    const [first, second, third] = [await guest(), await guest(), await guest()];
    const add = (holdId: string, seats: string[]) =>
      api.api.reply('POST', `/holds/${holdId}/seats`, { body: { seats }, headers: first.headers });
    const hold = (who: typeof first, seats: string[]) =>
      api.api.reply<HoldEnvelope>('POST', '/holds', { body: { seats }, headers: who.headers });

    const made = ok(await hold(first, ['A1', 'A2'])).hold;
    const refused = await hold(second, ['A3', 'A4']);
    const problem = expectProblem(refused, 409, 'TOO_MANY_CLIENT_LOCKS');
    expect(problem.detail, 'no count of what others behind it hold').not.to.match(/hold \d/);
    expect(refused.text).not.to.include(first.userId);
    expect(codeOf(await add(made.id, ['A3', 'A4'])), 'adding past the cap').to.equal(
      'TOO_MANY_CLIENT_LOCKS',
    );
    expect(await states('A3', 'A4'), 'nothing taken').to.deep.equal(['available', 'available']);

    expect((await add(made.id, ['A3'])).status, 'up to the cap').to.equal(200);
    const lockA4 = (who: typeof first) =>
      api.api.reply('POST', '/seats/A4/lock', {
        body: { userId: who.userId },
        headers: who.headers,
      });
    expect(codeOf(await lockA4(third)), 'a lock counts held seats').to.equal(
      'TOO_MANY_CLIENT_LOCKS',
    );
    expect((await lockA4(await guest('198.51.100.2'))).status, 'another address').to.equal(200);
    const release = await api.api.reply('DELETE', `/holds/${made.id}`, { headers: first.headers });
    expect(release.status).to.equal(200);
    expect(
      (await hold(second, ['A5', 'A6', 'A7'])).status,
      'a released hold frees places',
    ).to.equal(201);
  });

  it('counts IPv6 clients by their /56, so hopping addresses inside it does not help', async () => {
    api = await serve({ rows: 1, seatsPerRow: 4, maxLocksPerClient: 2, trustProxy: ['loopback'] });
    expect((await lock('A1', 'a', '2001:db8:abcd:1201::1')).status).to.equal(200);
    expect((await lock('A2', 'b', '2001:db8:abcd:12ff::9')).status).to.equal(200);
    expect(codeOf(await lock('A3', 'c', '2001:db8:abcd:1234::7'))).to.equal(
      'TOO_MANY_CLIENT_LOCKS',
    );
  });

  it('is off in createApp unless maxLocksPerClient is given; the service default is 30', async () => {
    const { loadConfig } = await import('../../src/config');
    expect(loadConfig({}).MAX_LOCKS_PER_CLIENT).to.equal(30);
    api = await serve({ rows: 1, seatsPerRow: 40 });
    for (let i = 1; i <= 31; i++) expect((await lock(`A${i}`, `u${i}`)).status).to.equal(200);
  });

  it('counts guest sessions and AUTH=off callers; not API keys or a box office’s JWT users', () => {
    const req = { ip: '::ffff:203.0.113.9' } as Request;
    const as = (caller?: Caller) => lockCapClient(req, { locals: { caller } } as never as Response);
    const address = '2001:db8::1';
    expect(as(undefined), 'no caller yet: the socket address').to.equal('203.0.113.9');
    expect(as({ kind: 'open', userId: 'x', clientAddress: address })).to.equal('2001:db8::/56');
    expect(as({ kind: 'session', userId: 'x', clientAddress: address })).to.equal('2001:db8::/56');
    expect(as({ kind: 'apiKey', userId: 'x', clientAddress: address, apiKeyId: 'k' })).to.equal(
      undefined,
    );
    expect(as({ kind: 'jwt', userId: 'x', clientAddress: address })).to.equal(undefined);
  });
});
