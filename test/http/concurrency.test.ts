import { expect } from 'chai';
import { request } from 'node:http';
import { startServer, type TestServer } from '../support/http';

/** Posts JSON on a connection of its own (`agent: false`), so requests really race on the server. */
function post(
  server: TestServer,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      server.url + path,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject).end(payload);
  });
}

describe('concurrency over real sockets', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ rows: 4, seatsPerRow: 5 });
  });
  afterEach(() => server.stop());

  it('gives exactly one of 100 racing clients the lock on one seat', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(server, '/seats/C3/lock', { userId: `user-${i}` }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).to.have.length(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'SEAT_LOCKED')).to.have.length(
      99,
    );
  });

  it('lets only the lock winner confirm when 100 clients race to confirm', async () => {
    const locks = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(server, '/seats/C3/lock', { userId: `user-${i}` }),
      ),
    );
    const winner = locks.findIndex((r) => r.status === 200);
    const confirms = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(server, '/seats/C3/confirm', {
          userId: `user-${i}`,
          lockId: locks[winner].body.lockId,
        }),
      ),
    );
    expect(confirms.map((r, i) => [i, r.status]).filter(([, s]) => s === 200)).to.deep.equal([
      [winner, 200],
    ]);
  });

  it('never lets two users hold or book one seat when many users race over many seats', async () => {
    const seats = (await server.request('GET', '/seats')).body.seats.map(
      (s: any) => s.id,
    ) as string[];
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
            const lock = await post(server, `/seats/${seat}/lock`, { userId: user });
            if (lock.status !== 200) {
              expect(lock.status).to.equal(409);
              continue;
            }
            const byUser = granted.get(seat) ?? new Map();
            granted.set(
              seat,
              byUser.set(user, (byUser.get(user) ?? new Set()).add(lock.body.lockId)),
            );
            const next = random(3);
            if (next === 0) continue; // leave it locked
            const action = next === 1 ? 'confirm' : 'release';
            const res = await post(server, `/seats/${seat}/${action}`, {
              userId: user,
              lockId: lock.body.lockId,
            });
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
