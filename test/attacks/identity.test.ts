import { expect } from 'chai';
import { apiClient, expectProblem, ok, type ApiClient } from '../support/api';
import { guestSession, type GuestSessionCredentials } from '../support/credentials';
import { usePostgres } from '../support/postgres';
import { startServerProcess, type ServerProcess } from '../support/serverProcess';
import { waitFor } from '../support/waitFor';

/**
 * The identity findings of issue 11, replayed against the real server process with the service's
 * defaults (credentials required, 60 sessions a minute and 30 locks per address): each is refused.
 * Every client here is a guest session, or nobody at all; none has the test suite's API key.
 */
describe('attacks on identity, against the real server process', function () {
  this.timeout(180_000);
  const clients: ApiClient[] = [];
  const as = (server: ServerProcess, session?: GuestSessionCredentials) => {
    const client = apiClient(server.url, { credentials: session?.credentials ?? (() => ({})) });
    clients.push(client);
    return client;
  };
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  describe('in memory, default settings', () => {
    let server: ServerProcess;
    before(async () => {
      server = await startServerProcess({
        SESSIONS_PER_MINUTE: '',
        MAX_LOCKS_PER_CLIENT: '',
        LOG_LEVEL: 'info',
      });
    });
    after(async () => server?.kill('SIGTERM'));

    it('two people who both call themselves "sam": one lock, one booking, and the other is told so', async () => {
      const [first, second] = [await guestSession(server.url), await guestSession(server.url)];
      expect(first.userId).not.to.equal(second.userId);
      const [one, two] = [as(server, first), as(server, second)];
      const body = { userId: 'sam' };
      expectProblem(await one.send('POST', '/seats/E5/lock', { body }), 403, 'FORBIDDEN');
      const lock = ok(await one.reply<{ lockId: string }>('POST', '/seats/E5/lock', { body: {} }));
      const stolen = await two.reply('POST', '/seats/E5/lock', { body: {} });
      expectProblem(stolen, 409, 'SEAT_LOCKED');
      expect(stolen.text).not.to.include(lock.lockId);
      expectProblem(
        await two.send('POST', '/seats/E5/confirm', { body: { lockId: lock.lockId } }),
        409,
        'LOCK_NOT_HELD',
      );
      ok(await one.reply('POST', '/seats/E5/confirm', { body: { lockId: lock.lockId } }));
      expectProblem(await two.send('POST', '/seats/E5/confirm', { body: {} }), 409, 'SEAT_BOOKED');
    });

    it("nobody takes, books or releases alice's seat by naming her", async () => {
      const alice = await guestSession(server.url);
      const mallory = await guestSession(server.url);
      const lock = ok(await as(server, alice).lock('B4', alice.userId));
      const anonymous = as(server);
      const named = { userId: alice.userId };
      for (const action of ['release', 'confirm', 'lock']) {
        const res = await anonymous.send('POST', `/seats/B4/${action}`, { body: named });
        expectProblem(res, 401, 'UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).to.match(/^Bearer/);
        const forged = await anonymous.send('POST', `/seats/B4/${action}`, {
          body: named,
          headers: { authorization: `Bearer ${mallory.token.slice(0, -4)}AAAA` },
        });
        expectProblem(forged, 401, 'UNAUTHENTICATED');
        const asOther = await as(server, mallory).send('POST', `/seats/B4/${action}`, {
          body: { ...named, lockId: lock.lockId },
        });
        expectProblem(asOther, 403, 'FORBIDDEN');
        expect(asOther.text).not.to.include(lock.lockId);
      }
      const seat = ok(await anonymous.get('B4'));
      expect(seat.seat.state).to.equal('locked');
      expect(JSON.stringify(seat)).not.to.include(alice.userId);
    });

    it('no answer, event or log line tells one user about another', async () => {
      const stream = await fetch(`${server.url}/seats/events`);
      const reader: ReadableStreamDefaultReader<Uint8Array> = stream.body!.getReader();
      let events = '';
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          events += new TextDecoder().decode(value);
        }
      })().catch(() => undefined);
      const carol = await guestSession(server.url);
      const dave = await guestSession(server.url);
      const asCarol = as(server, carol);
      const asDave = as(server, dave);
      const lock = ok(await asCarol.lock('C7', carol.userId));
      ok(await asCarol.confirm('C7', carol.userId, lock.lockId));
      ok(await asCarol.lock('C8', carol.userId));
      await waitFor(() => (events.match(/\nid: /g) ?? []).length >= 3, { what: 'three events' });
      const seen = [
        events,
        (await asDave.send('GET', '/seats')).text,
        (await asDave.send('GET', '/seats/C7')).text,
        (await asDave.send('GET', '/seats/summary')).text,
        (await asDave.send('GET', '/me/seats')).text,
        (await asDave.send('GET', '/metrics')).text,
        (await asDave.send('POST', '/seats/C8/lock', { body: {} })).text,
        (await asDave.send('POST', '/seats/C7/release', { body: {} })).text,
      ];
      for (const text of seen) {
        expect(text).not.to.include(carol.userId);
        expect(text).not.to.include(lock.lockId);
      }
      expect(seen[6]).to.include('another user');
      await reader.cancel();
      const daveLines = server
        .output()
        .split('\n')
        .filter((line) => line.includes(dave.userId));
      expect(daveLines.length).to.be.greaterThan(0);
      for (const line of daveLines) expect(line).not.to.include(carol.userId);
      expect(server.output()).not.to.include(lock.lockId);
      expect(server.output()).not.to.include(carol.token);
    });
  });

  it('one client inventing users gets 60 sessions a minute and holds at most 30 of the 100-seat venue', async () => {
    const server = await startServerProcess({ SESSIONS_PER_MINUTE: '', MAX_LOCKS_PER_CLIENT: '' });
    try {
      const sessions = await Promise.all(
        Array.from({ length: 60 }, () => guestSession(server.url)),
      );
      expectProblem(
        await as(server).send('POST', '/sessions'),
        429,
        'RATE_LIMITED',
        'new sessions',
      );
      const seats = Array.from(
        { length: 100 },
        (_, i) => `${'ABCDEFGHIJ'[Math.floor(i / 10)]}${(i % 10) + 1}`,
      );
      const results = [];
      for (let i = 0; i < seats.length; i += 20) {
        results.push(
          ...(await Promise.all(
            seats.slice(i, i + 20).map((seat, j) => {
              const session = sessions[(i + j) % sessions.length];
              return as(server, session).lock(seat, session.userId);
            }),
          )),
        );
      }
      expect(results.filter((r) => r.ok)).to.have.length(30);
      const codes = new Set(results.filter((r) => !r.ok).map((r) => r.body.code));
      expect([...codes]).to.deep.equal(['TOO_MANY_CLIENT_LOCKS']);
    } finally {
      await server.kill('SIGTERM');
    }
  });

  describe('on PostgreSQL, two instances', () => {
    const db = usePostgres();
    const servers: ServerProcess[] = [];
    before(async function () {
      this.timeout(180_000);
      const env = { DATABASE_URL: db().url, MAX_LOCKS_PER_CLIENT: '5', MAX_LOCKS_PER_USER: '3' };
      servers.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
    });
    after(async () => Promise.all(servers.map((s) => s.kill('SIGTERM'))));

    it('a session from one instance is accepted by the other, and the caps per user and per address hold across both', async () => {
      const dora = await guestSession(servers[0].url);
      const mine = await Promise.all(
        ['D1', 'D2', 'D3', 'D4', 'D5', 'D6'].map((seat, i) =>
          as(servers[i % 2], dora).lock(seat, dora.userId),
        ),
      );
      expect(
        mine.filter((r) => r.ok),
        'MAX_LOCKS_PER_USER=3',
      ).to.have.length(3);
      expect(mine.filter((r) => !r.ok && r.body.code === 'TOO_MANY_LOCKS')).to.have.length(3);
      const invented = await Promise.all(
        ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'].map(async (seat, i) => {
          const eve = await guestSession(servers[(i + 1) % 2].url);
          return as(servers[i % 2], eve).lock(seat, eve.userId);
        }),
      );
      // dora's 3 locks came from this address too: 2 places are left of MAX_LOCKS_PER_CLIENT=5.
      expect(invented.filter((r) => r.ok)).to.have.length(2);
      expect(
        invented.filter((r) => !r.ok && r.body.code === 'TOO_MANY_CLIENT_LOCKS'),
      ).to.have.length(4);
    });
  });
});
