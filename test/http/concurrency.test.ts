import { expect } from 'chai';
import { apiClient, ok, type ApiClient } from '../support/api';
import { serve, type Served } from '../support/serve';

describe('concurrency over real sockets', () => {
  let server: Served;
  /** Each request on a connection of its own, so requests really race on the server. */
  let api: ApiClient;
  beforeEach(async () => {
    server = await serve({ rows: 4, seatsPerRow: 5 });
    api = apiClient(server.url, { freshConnections: true, routes: server.routes });
  });
  afterEach(() => server.stop());

  it('gives exactly one of 100 racing clients the lock on one seat', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.lock('C3', `user-${i}`)),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).to.have.length(1);
    expect(
      results.filter((r) => r.status === 409 && !r.ok && r.body.code === 'SEAT_LOCKED'),
    ).to.have.length(99);
  });

  it('lets only the lock winner confirm when 100 clients race to confirm', async () => {
    const locks = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.lock('C3', `user-${i}`)),
    );
    const winner = locks.findIndex((r) => r.status === 200);
    const { lockId } = ok(locks[winner]);
    const confirms = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.confirm('C3', `user-${i}`, lockId)),
    );
    expect(confirms.map((r, i) => [i, r.status]).filter(([, s]) => s === 200)).to.deep.equal([
      [winner, 200],
    ]);
  });

  it('never lets two users hold or book one seat when many users race over many seats', async () => {
    const seats = ok(await api.list()).seats.map((s) => s.id);
    const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    /** seat → users that got a 200 for confirm */
    const booked = new Map<string, Set<string>>();
    /** seat → user → lockIds the user was granted */
    const granted = new Map<string, Map<string, Set<string>>>();
    const ops: Array<Promise<void>> = [];

    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);

    for (const user of users) {
      ops.push(
        (async () => {
          for (let round = 0; round < 8; round++) {
            const seat = seats[random(seats.length)];
            const reply = await api.lock(seat, user);
            if (reply.status !== 200) {
              expect(reply.status).to.equal(409);
              continue;
            }
            const lock = ok(reply);
            const byUser = granted.get(seat) ?? new Map<string, Set<string>>();
            granted.set(
              seat,
              byUser.set(user, (byUser.get(user) ?? new Set<string>()).add(lock.lockId)),
            );
            const next = random(3);
            if (next === 0) continue; // leave it locked
            const action = next === 1 ? 'confirm' : 'release';
            const res = await api[action](seat, user, lock.lockId);
            expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 409]);
            if (action === 'confirm' && res.status === 200) {
              booked.set(seat, (booked.get(seat) ?? new Set()).add(user));
            }
          }
        })(),
      );
    }
    await Promise.all(ops);

    for (const [seat, bookers] of booked) {
      expect([...bookers], `seat ${seat} booked by`).to.have.length(1);
      const [booker] = bookers;
      expect(granted.get(seat)?.has(booker), `${booker} confirmed ${seat} without a lock`).to.equal(
        true,
      );
    }
    // What the seats say agrees with what clients were told.
    for (const id of seats) {
      const { state, context } = await server.store.get(id);
      if (state === 'booked')
        expect([...(booked.get(id) ?? [])]).to.deep.equal([context.booking!.userId]);
      else expect(booked.has(id), `${id} was confirmed but is ${state}`).to.equal(false);
      if (state === 'locked') expect(granted.get(id)?.has(context.lock!.userId)).to.equal(true);
    }
  });
});
