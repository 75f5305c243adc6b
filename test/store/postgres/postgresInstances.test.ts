import { expect } from 'chai';
import { Client } from 'pg';
import { apiClient, codeOf, ok, type ApiClient } from '../../support/api';
import { APPLICATION_NAME } from '../../../src/store/postgres/Database';
import { usePostgres } from '../../support/postgres';
import { startServerProcess, type ServerProcess } from '../../support/serverProcess';
import { waitFor } from '../../support/waitFor';

/** What a client was told succeeded: its lock (and, when confirmed, its booking). */
interface Acknowledged {
  seat: string;
  userId: string;
  lockId: string;
  expiresAt: string;
  confirmed: boolean;
}

describe('several service processes on one PostgreSQL database', function () {
  this.timeout(120_000);
  const servers: ServerProcess[] = [];
  const clients = new Map<string, ApiClient>();
  /** The client of the instance at `url`; a killed instance's requests come back as status 0. */
  const api = (url: string): ApiClient => {
    const client = clients.get(url) ?? apiClient(url, { unreachableAsRefusal: true });
    clients.set(url, client);
    return client;
  };
  after(async () => {
    for (const client of clients.values()) client.close();
    await Promise.all(servers.map((server) => server.kill('SIGTERM')));
  });
  const start = async (env: Record<string, string>) => {
    const server = await startServerProcess(env);
    servers.push(server);
    return server;
  };

  describe('racing clients and a crash (lock TTL 60 s)', () => {
    const db = usePostgres();
    let cluster: ServerProcess; // WORKERS=2: two cluster workers behind one port
    let single: ServerProcess;
    const env = () => ({ DATABASE_URL: db().url, LOCK_TTL_MS: '60000', SWEEP_INTERVAL_MS: '50' });

    before(async () => {
      [cluster, single] = await Promise.all([start({ ...env(), WORKERS: '2' }), start(env())]);
    });

    it('opens its pools as it starts: every process its connections, none waiting for the first request', async () => {
      const client = new Client({ connectionString: db().url });
      await client.connect();
      const connections = async () => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE application_name = $1 AND datname = current_database()`,
          [APPLICATION_NAME],
        );
        return rows[0].n;
      };
      try {
        // Three serving processes (two cluster workers, one single), and no request sent: each
        // opens its request pool and its per-user cap's pool (PG_POOL_SIZE=4) before it listens,
        // and LISTENs. (The second cluster worker may still be starting when the first listens.)
        // Without the warm-up only the sweeper's and the clock's few connections would be open.
        await waitFor(async () => (await connections()) >= 3 * (4 + 4 + 1), {
          what: '27 connections of the service',
        });
      } finally {
        await client.end();
      }
    });

    it('lets exactly one of the racing clients lock or book a seat, whichever instance each asks', async () => {
      const seats = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'];
      const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
      const bases = [cluster.url, single.url];
      const locks = await Promise.all(
        seats.flatMap((seat, s) =>
          users.map((userId, u) =>
            api(bases[(s + u) % 2])
              .lock(seat, userId)
              .then((reply) => ({ seat, userId, reply })),
          ),
        ),
      );
      for (const seat of seats) {
        const tries = locks.filter((l) => l.seat === seat);
        const won = tries.filter((l) => l.reply.status === 200);
        expect(won, `lock winners of ${seat}`).to.have.length(1);
        const codes = tries.filter((l) => l.reply.status !== 200).map((l) => codeOf(l.reply));
        expect(codes).to.deep.equal(Array(users.length - 1).fill('SEAT_LOCKED'));
      }

      // Everybody tries to confirm, on alternating instances: only each seat's lock holder books it.
      const confirms = await Promise.all(
        locks.map(({ seat, userId, reply }, i) =>
          api(bases[i % 2])
            .confirm(seat, userId, reply.ok ? reply.body.lockId : undefined)
            .then((confirm) => ({ seat, userId, won: reply.status === 200, confirm })),
        ),
      );
      for (const { won, confirm } of confirms) {
        expect(confirm.status).to.equal(won ? 200 : 409);
        // Before the holder's confirm lands the seat is someone else's lock, after it a booking.
        if (!won) expect(codeOf(confirm)).to.be.oneOf(['LOCK_NOT_HELD', 'SEAT_BOOKED']);
      }

      // Both instances read the same venue from the database.
      for (const base of bases) {
        const summary = ok(await api(base).list());
        const booked = summary.seats.filter((s) => s.state === 'booked');
        expect(booked.map((s) => s.id)).to.deep.equal(seats);
      }
    });

    it('loses no acknowledged lock or booking when an instance is killed with -9 mid-load', async () => {
      const acknowledged: Acknowledged[] = [];
      let singleAcks = 0;
      let killed = false;
      let unanswered = 0; // requests the killed instance never answered
      const seatPool = Array.from({ length: 24 }, (_, i) => `${'BCD'[i % 3]}${1 + (i % 8)}`);

      // Six clients lock random seats and confirm half of their locks, alternating instances.
      const client = async (c: number) => {
        for (let op = 0; op < 16; op++) {
          const seat = seatPool[(c * 7 + op * 5) % seatPool.length];
          const userId = `client${c}`;
          const base = (op + c) % 2 === 0 ? cluster.url : single.url;
          const reply = await api(base).lock(seat, userId);
          if (reply.status === 0) unanswered++;
          if (reply.status !== 200) continue;
          if (base === single.url) singleAcks++;
          const lock = ok(reply);
          const ack: Acknowledged = {
            seat,
            userId,
            lockId: lock.lockId,
            expiresAt: lock.expiresAt,
            confirmed: false,
          };
          acknowledged.push(ack);
          if (op % 2 === 1) continue;
          const other = base === cluster.url ? single.url : cluster.url;
          const confirm = await api(other).confirm(seat, userId, ack.lockId);
          if (confirm.status === 200) {
            ack.confirmed = true;
            if (other === single.url) singleAcks++;
          }
        }
      };
      const killer = (async () => {
        await waitFor(() => singleAcks >= 5, {
          what: 'the single instance to acknowledge some requests',
        });
        await single.kill('SIGKILL');
        killed = true;
      })();
      await Promise.all([killer, ...Array.from({ length: 6 }, (_, c) => client(c))]);
      expect(killed).to.equal(true);
      expect(unanswered, 'requests that met the dead instance').to.be.greaterThan(0);
      expect(acknowledged.length).to.be.greaterThan(5);

      // Start it again on the same database and check every acknowledgement, through it.
      single = await start(env());
      for (const ack of acknowledged) {
        const body = ok(await api(single.url).get(ack.seat));
        if (ack.confirmed) {
          expect(body.seat.state, `${ack.seat} booked by ${ack.userId}`).to.equal('booked');
        } else if (body.seat.state === 'locked') {
          // The lock keeps its original deadline.
          expect(body.seat.expiresAt, `${ack.seat} deadline`).to.equal(ack.expiresAt);
        } else {
          // Its confirm was sent but not answered (killed instance): it may have committed.
          expect(body.seat.state, `${ack.seat} still locked or booked`).to.equal('booked');
        }
        // Either way the seat is this client's, by this lock: confirming again is accepted.
        const again = await api(single.url).confirm(ack.seat, ack.userId, ack.lockId);
        expect(again.status, `${ack.seat} confirm by ${ack.userId}: ${again.text}`).to.equal(200);
      }
    });
  });

  describe('a lock outliving its instance (lock TTL 400 ms)', () => {
    const db = usePostgres();

    it('expires on time as seen from the other instance', async () => {
      const env = { DATABASE_URL: db().url, LOCK_TTL_MS: '400', SWEEP_INTERVAL_MS: '25' };
      const [first, second] = await Promise.all([start(env), start(env)]);
      const reply = await api(first.url).lock('A1', 'una');
      expect(reply.status).to.equal(200);
      const lock = ok(reply);
      const deadline = Date.parse(lock.expiresAt);
      await first.kill('SIGKILL');

      // Watch the seat from the second instance: locked before the deadline, available after.
      await waitFor(
        async () => {
          const body = ok(await api(second.url).get('A1'));
          const answered = Date.now();
          if (answered < deadline) expect(body.seat.state).to.equal('locked');
          if (body.seat.state === 'locked') {
            expect(body.seat.expiresAt).to.equal(lock.expiresAt);
            return false;
          }
          expect(body.seat.state).to.equal('available');
          expect(answered).to.be.at.least(deadline); // never before its deadline
          return true;
        },
        { what: 'the lock to expire on the second instance' },
      );
      const all = ok(await api(second.url).list());
      expect(all.seats.filter((s) => s.state !== 'available')).to.deep.equal([]);
      const late = await api(second.url).confirm('A1', 'una', lock.lockId);
      expect(codeOf(late)).to.equal('LOCK_EXPIRED');
    });
  });
});
