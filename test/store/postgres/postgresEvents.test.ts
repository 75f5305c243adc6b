import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../../src/clock';
import { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { outcome } from '../../support/outcome';
import { usePostgres } from '../../support/postgres';
import { codeOf, ok } from '../../support/api';
import { serve, type Served } from '../../support/serve';
import { waitFor } from '../../support/waitFor';

const KEY = 'sk_test_pg_events_key';
const DIGEST = createHash('sha256').update(KEY).digest('hex');
const ADMIN = { Authorization: `Bearer ${KEY}` };
const HAMLET = {
  id: 'hamlet',
  name: 'Hamlet',
  layout: { sections: [{ id: 'FLOOR', rows: [{ label: 'A', seats: 4 }] }] },
};

describe('events on PostgreSQL, served by several instances', function () {
  this.timeout(60_000);
  const clock = new SimulatedClock() as SimulatedClock & Clock;
  const running: Served[] = [];
  // Registered before usePostgres() so the apps close before their database is dropped.
  after(async () => {
    for (const app of running) await app.stop();
  });
  const db = usePostgres();
  before(() => clock.set(Date.UTC(2030, 0, 1)));

  /** An instance of the service on the suite's database. */
  const instance = async (): Promise<Served> => {
    const store = await PostgresSeatStore.open({
      connectionString: db().url,
      venue: new Venue(2, 5),
      ttlMs: 60_000,
      clock,
      sweepIntervalMs: 0, // swept by hand
      poolSize: 4,
    });
    const app = await serve({
      store,
      clock,
      apiKeyDigests: [DIGEST],
      maxLocksPerUser: 1,
      maxLocksPerClient: 2,
    });
    running.push(app);
    return app;
  };
  const rows = async (text: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: db().url });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(text, params)).rows;
    } finally {
      await client.end();
    }
  };

  it('serves an event made on one instance from another: its seats, locks, sales window and stream', async () => {
    const [one, two] = [await instance(), await instance()];
    expect((await one.api.createEvent(HAMLET, ADMIN)).status).to.equal(201);
    const listed = await two.api.listEvents();
    expect(ok(listed).events.map((e) => e.id)).to.deep.equal(['default', 'hamlet']);
    // An event made but never touched costs its row, and no seat or counter row.
    expect(
      await rows(`SELECT count(*)::int AS n FROM seat WHERE event_id = 'hamlet'`),
    ).to.deep.equal([{ n: 0 }]);
    const heard: SeatTransition[] = [];
    (await one.eventService.seatsOf('hamlet')).service.store.subscribe((t) => heard.push(t));

    const lock = await two.api.event('hamlet').lock('FLOOR-A-1', 'alice');
    expect(lock.status).to.equal(200);
    const taken = await one.api.event('hamlet').lock('FLOOR-A-1', 'bob');
    expect(codeOf(taken)).to.equal('SEAT_LOCKED');
    await waitFor(() => heard.some((t) => t.id === 'FLOOR-A-1' && t.to === 'locked'));
    const details = await one.api.getEvent('hamlet');
    expect(ok(details).event.counts).to.deep.equal({
      total: 4,
      available: 3,
      locked: 1,
      booked: 0,
    });

    // Closed on one instance, closed on the other; the lock taken before may still be confirmed.
    expect((await one.api.eventAction('hamlet', 'close', ADMIN)).status).to.equal(200);
    const late = await two.api.event('hamlet').lock('FLOOR-A-2', 'carol');
    expect(codeOf(late)).to.equal('SALES_CLOSED');
    const confirm = await two.api.event('hamlet').confirm('FLOOR-A-1', 'alice', ok(lock).lockId);
    expect(confirm.status).to.equal(200);
    expect(ok(await one.api.event('hamlet').get('FLOOR-A-1')).seat.state).to.equal('booked');
  });

  it('keeps the same seat id of two events apart, each with its own per-user lock cap', async () => {
    const [one, two] = [await instance(), await instance()];
    const grid = { id: 'grid', name: 'Grid', layout: { rows: 2, seatsPerRow: 5 } };
    expect((await two.api.createEvent(grid, ADMIN)).status).to.equal(201);
    // maxLocksPerUser is 1: dave may hold one lock in each event.
    expect((await one.api.lock('B5', 'dave')).status).to.equal(200);
    expect((await two.api.event('grid').lock('B5', 'dave')).status).to.equal(200);
    const second = await one.api.event('grid').lock('B4', 'dave');
    expect(codeOf(second)).to.equal('TOO_MANY_LOCKS');
    expect((await two.api.release('B5', 'dave')).status).to.equal(200);
    expect(ok(await one.api.event('grid').get('B5')).seat.state).to.equal('locked');
    expect(ok(await two.api.get('B5')).seat.state).to.equal('available');
  });

  it('counts MAX_LOCKS_PER_CLIENT per event, across instances', async () => {
    const [one, two] = [await instance(), await instance()];
    expect((await one.api.createEvent({ ...HAMLET, id: 'capped' }, ADMIN)).status).to.equal(201);
    const capped = async (app: Served) => (await app.eventService.seatsOf('capped')).service;
    const from = '203.0.113.9';
    expect(await outcome((await capped(one)).lock('FLOOR-A-1', 'guest-1', from))).to.equal('200');
    expect(await outcome((await capped(two)).lock('FLOOR-A-2', 'guest-2', from))).to.equal('200');
    expect(await outcome((await capped(one)).lock('FLOOR-A-3', 'guest-3', from))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );
    expect(await outcome(two.service.lock('A1', 'guest-4', from)), 'the default event').to.equal(
      '200',
    );
  });

  it('keeps every event, its sales window and its seats across a restart of every instance', async () => {
    for (const app of running.splice(0)) await app.stop();
    const fresh = await instance();
    const hamlet = await fresh.api.getEvent('hamlet');
    expect(ok(hamlet).event).to.include({ salesState: 'closed' });
    expect(ok(await fresh.api.event('hamlet').get('FLOOR-A-1')).seat.state).to.equal('booked');
    expect(ok(await fresh.api.event('grid').get('B5')).seat.state).to.equal('locked');
    // Every event's due locks are swept by any instance: grid's B5, and the three locks above.
    clock.increment(60_000);
    expect(await (fresh.store as PostgresSeatStore).sweep()).to.equal(4);
    expect(ok(await fresh.api.event('grid').summary())).to.include({
      locked: 0,
    });
  });
});
