import { expect } from 'chai';
import { Client } from 'pg';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../../src/clock';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { Database } from '../../../src/store/postgres/Database';
import { Venue } from '../../../src/venue';
import { createTestDatabase, usePostgresStores } from '../../support/postgres';
import { promSample } from '../../support/promSample';
import { ok } from '../../support/api';
import { loadSchemaV3, V3_T0 } from '../../support/schemaV3';
import { serve, type Served } from '../../support/serve';
import { openSse } from '../../support/sseClient';
import { waitFor } from '../../support/waitFor';

const TTL = 60_000;

describe('operations on the PostgreSQL store (real PostgreSQL)', function () {
  this.timeout(60_000);
  const { clock, db, open, onClose } = usePostgresStores();
  before(() => clock.set(1_700_000_000_000));

  it('publishes reason and lock holder with every transition, and metrics count their own instance', async () => {
    const store = await open();
    const other = await open();
    // Locks left by the test above lapse now, swept by another instance: not counted below.
    clock.increment(TTL);
    while ((await other.sweep()) > 0);
    const api: Served = await serve({ store, clock });
    onClose(() => api.stop());
    const heard: SeatTransition[] = [];
    store.subscribe((t) => heard.push(t));
    const body = ok(await api.api.lock('B2', 'carol'));
    await api.api.confirm('B2', 'carol', body.lockId);
    await api.api.lock('B3', 'carol');
    await api.api.release('B3', 'carol');
    await api.api.lock('B4', 'dave');
    clock.increment(TTL);
    expect(await store.sweep()).to.be.at.least(1); // B4's lock lapses
    // Another instance's lock is heard here, but counted only where it was taken.
    await other.apply('B5', { type: 'LOCK', userId: 'erin', lockId: 'L-erin', now: clock.now() });
    await waitFor(() => heard.some((t) => t.id === 'B5'), { what: 'B5 heard' });

    const mine = heard.filter((t) => ['B2', 'B3', 'B4', 'B5'].includes(t.id));
    expect(
      mine.map(({ id, from, to, reason, userId, local }) => ({
        id,
        from,
        to,
        reason,
        userId,
        local,
      })),
    ).to.deep.equal([
      { id: 'B2', from: 'available', to: 'locked', reason: 'locked', userId: 'carol', local: true },
      { id: 'B2', from: 'locked', to: 'booked', reason: 'confirmed', userId: 'carol', local: true },
      { id: 'B3', from: 'available', to: 'locked', reason: 'locked', userId: 'carol', local: true },
      {
        id: 'B3',
        from: 'locked',
        to: 'available',
        reason: 'released',
        userId: 'carol',
        local: true,
      },
      { id: 'B4', from: 'available', to: 'locked', reason: 'locked', userId: 'dave', local: true },
      { id: 'B4', from: 'locked', to: 'available', reason: 'expired', userId: 'dave', local: true },
      { id: 'B5', from: 'available', to: 'locked', reason: 'locked', userId: 'erin', local: false },
    ]);

    const { text } = await api.call('GET', '/metrics');
    expect(promSample(text, 'seat_locks_taken_total')).to.equal(3);
    expect(promSample(text, 'seat_locks_confirmed_total')).to.equal(1);
    expect(promSample(text, 'seat_locks_released_total')).to.equal(1);
    expect(promSample(text, 'seat_locks_expired_total')).to.equal(1);
  });

  it('sends server-sent events with their reason but without the internal lock holder', async () => {
    const api = await serve({ store: await open(), clock });
    onClose(() => api.stop());
    const sse = await openSse({ port: Number(new URL(api.url).port) } as never);
    try {
      await api.call('POST', '/seats/B8/lock', { body: { userId: 'secret-user' } });
      const event = await sse.waitFor((m) => m.data?.includes('"B8"') ?? false, 10_000);
      const data = JSON.parse(event.data!) as Record<string, unknown>;
      expect(Object.keys(data).sort()).to.deep.equal(['at', 'from', 'id', 'reason', 'to']);
      expect(data.reason).to.equal('locked');
      expect(
        sse
          .messages()
          .map((m) => m.data ?? '')
          .join(''),
      ).not.to.include('secret-user');
    } finally {
      sse.close();
    }
  });

  it('/readyz says store-unreachable while the database refuses connections', async function () {
    const own = await createTestDatabase();
    if (typeof own === 'string') return this.skip();
    // Connected to the suite's database: a database cannot disallow connections to itself.
    const admin = new Client({ connectionString: db().url });
    admin.on('error', () => undefined);
    let api: Served | undefined;
    try {
      const store = await open({ connectionString: own.url, logError: () => undefined });
      api = await serve({ store, clock });
      expect((await api.call('GET', '/readyz')).status).to.equal(200);

      // The database goes away: no new connections, the open ones cut.
      await admin.connect();
      await admin.query(`ALTER DATABASE ${own.name} ALLOW_CONNECTIONS false`);
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1`,
        [own.name],
      );
      const down = await api.call('GET', '/readyz');
      expect(down.status).to.equal(503);
      expect(down.body).to.deep.equal({ ready: false, status: 'store-unreachable' });
      let failed: unknown;
      await store.ping().catch((err: unknown) => (failed = err));
      expect(failed).to.be.instanceOf(Error);

      await admin.query(`ALTER DATABASE ${own.name} ALLOW_CONNECTIONS true`);
      expect((await api.call('GET', '/readyz')).status).to.equal(200);
    } finally {
      await api?.stop();
      await admin.end().catch(() => undefined);
      await own.drop();
    }
  });

  it('migrates a database from before the holder column, counting the locks already held', async function () {
    const own = await createTestDatabase();
    if (typeof own === 'string') return this.skip();
    try {
      // The database version 3 wrote, taken back to schema version 1 (no holder, no client_lock):
      // alice holds A1 and A2 until T0 + 60 s.
      await loadSchemaV3(
        own.url,
        `DROP TABLE client_lock; ALTER TABLE seat DROP COLUMN holder;
         UPDATE seat_meta SET schema_version = 1;`,
      );
      const at = new SimulatedClock() as SimulatedClock & Clock;
      at.set(V3_T0 + 1000);
      const store = await open({ connectionString: own.url, venue: new Venue(4, 5), clock: at });
      const quota = store.createLockQuota(2);
      const lock = { type: 'LOCK' as const, userId: 'alice', lockId: 'L-A3', now: at.now() };
      const refused = await quota.admit('alice', 'A3', () => store.apply('A3', lock));
      expect(refused).to.deep.include({ ok: false, code: 'TOO_MANY_LOCKS', held: 2, max: 2 });
      await store.close();
    } finally {
      await own.drop();
    }
  });

  it('opens every connection of its pools when warmed, before any request, and serves through them', async () => {
    const store = await open({ poolSize: 3 });
    store.createLockQuota(2);
    await store.warm();
    // One pool of our own, to count its connections by name among the other stores'.
    const pool = new Database({
      connectionString: db().url,
      poolSize: 3,
      applicationName: 'warm-test',
      logError: () => undefined,
    });
    onClose(() => pool.end());
    await pool.warm(['seat', 'seat_count', 'user_locks', 'event']);
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'warm-test' AND datname = current_database()`,
      [],
      'read',
    );
    expect(rows[0].n).to.equal(3);
    expect(pool.pool.idleCount).to.equal(3);
    const locked = await store.apply('B9', {
      type: 'LOCK',
      userId: 'gail',
      lockId: 'L-gail',
      now: clock.now(),
    });
    expect(locked.reply?.type).to.equal('seat.accepted');
  });
});
