import { expect } from 'chai';
import { Client } from 'pg';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../../src/clock';
import { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import { SCHEMA_VERSION } from '../../../src/store/postgres/schema';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { outcome } from '../../support/outcome';
import { countersAndRecount, createTestDatabase, type TestDatabase } from '../../support/postgres';
import { loadSchemaV3, V3_T0 } from '../../support/schemaV3';
import { ok } from '../../support/api';
import { serve, type Served } from '../../support/serve';
import { waitFor } from '../../support/waitFor';

/** The fixture's locks (see test/store/postgres/fixtures/schemaV3.sql). */
const ALICE_A1 = 'PieimEvwcAJ9uUAor8-lA';
const ALICE_A2 = 'KvQYSEho1DgTbMt2U51WX';
const ERIN_C1 = 'mg2DLX22N7rP4G-YvmnF7';
const ADDRESS = '203.0.113.9';

describe('a database made by schema version 3 (before events), upgraded', function () {
  this.timeout(60_000);
  const clock = new SimulatedClock() as SimulatedClock & Clock;
  let db: TestDatabase;
  let store: PostgresSeatStore;
  let api: Served;
  const heard: SeatTransition[] = [];

  before(async function () {
    const made = await createTestDatabase();
    if (typeof made === 'string') return this.skip();
    db = made;
    await loadSchemaV3(db.url);
    clock.set(V3_T0 + 10_000);
    store = await PostgresSeatStore.open({
      connectionString: db.url,
      venue: new Venue(4, 5),
      ttlMs: 60_000,
      clock,
      sweepIntervalMs: 0, // swept by hand
      poolSize: 4,
    });
    store.subscribe((t) => heard.push(t));
    api = await serve({ store, clock, maxLocksPerUser: 2, maxLocksPerClient: 3 });
  });
  after(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('keeps every seat row as the default event’s, at the new schema version', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const seats = await client.query(
        'SELECT event_id, count(*)::int AS n FROM seat GROUP BY event_id',
      );
      expect(seats.rows).to.deep.equal([{ event_id: 'default', n: 6 }]);
      const meta = await client.query<{ schema_version: number }>(
        'SELECT schema_version FROM seat_meta',
      );
      expect(meta.rows[0].schema_version).to.equal(SCHEMA_VERSION);
      // The counters, recounted per block and shard (3 locked, 2 booked in block 0).
      const { kept, recount } = await countersAndRecount(db.url);
      expect(kept).to.deep.equal(recount).and.to.have.length.above(0);
    } finally {
      await client.end();
    }
  });

  it('shows every lock with its holder, lockId and deadline, and every booking', async () => {
    expect((await store.get('A1')).context.lock).to.deep.equal({
      userId: 'alice',
      lockId: ALICE_A1,
      until: V3_T0 + 60_000,
    });
    expect((await store.get('C1')).context.lock).to.deep.equal({
      userId: 'erin',
      lockId: ERIN_C1,
      until: V3_T0 + 30_000,
    });
    expect((await store.get('B1')).context.booking).to.include({ userId: 'bob' });
    expect((await store.get('D5')).context.booking).to.include({ userId: 'dave' });
    expect((await store.get('B2')).state).to.equal('available');
    expect(await store.summary()).to.deep.equal({
      total: 20,
      available: 15,
      locked: 3,
      booked: 2,
    });
    // The same seats through the routes, old and per event.
    const old = await api.api.get('A1');
    expect(ok(old).seat).to.deep.equal({
      id: 'A1',
      state: 'locked',
      expiresAt: new Date(V3_T0 + 60_000).toISOString(),
    });
    const perEvent = await api.api.event('default').get('D5');
    expect(ok(perEvent).seat).to.include({ id: 'D5', state: 'booked' });
    const details = await api.api.getEvent('default');
    expect(ok(details).event.counts).to.deep.equal({
      total: 20,
      available: 15,
      locked: 3,
      booked: 2,
    });
  });

  it('counts the old locks against both lock caps, and refuses their seats to others', async () => {
    const { service } = api;
    expect(await outcome(service.lock('A3', 'alice'))).to.equal('409 TOO_MANY_LOCKS');
    expect(await outcome(service.lock('A4', 'guest-1', ADDRESS))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );
    expect(await outcome(service.lock('A1', 'bob'))).to.equal('409 SEAT_LOCKED');
    expect(await outcome(service.lock('B1', 'carol'))).to.equal('409 SEAT_BOOKED');
  });

  it('honours each old deadline: confirmed before it, expired at it', async () => {
    const { service } = api;
    expect(await outcome(service.confirm('A1', 'alice', ALICE_A1))).to.equal('200');
    clock.set(V3_T0 + 30_000);
    expect(await store.sweep()).to.equal(1); // erin's C1, due now; alice's A2 is not
    await waitFor(() => heard.some((t) => t.id === 'C1' && t.reason === 'expired'));
    expect(await outcome(service.confirm('C1', 'erin', ERIN_C1))).to.equal('409 LOCK_EXPIRED');
    clock.set(V3_T0 + 59_999);
    expect((await store.get('A2')).state).to.equal('locked');
    clock.set(V3_T0 + 60_000);
    expect(await outcome(service.confirm('A2', 'alice', ALICE_A2))).to.equal('409 LOCK_EXPIRED');
    expect(await store.summary()).to.include({ locked: 0, booked: 3 });
  });
});
