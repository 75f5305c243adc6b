import { expect } from 'chai';
import { Client } from 'pg';
import { SimulatedClock } from 'xstate';
import type { SeatRequestEvent } from '../../../machines/seatTypes';
import type { Clock } from '../../../src/clock';
import { HttpError } from '../../../src/http/HttpError';
import { SeatService } from '../../../src/SeatService';
import { VenueMismatchError } from '../../../src/store/postgres/schema';
import {
  PostgresSeatStore,
  type PostgresSeatStoreOptions,
} from '../../../src/store/postgres/PostgresSeatStore';
import type { SeatTransition } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { createTestDatabase, usePostgres } from '../../support/postgres';
import { waitFor } from '../../support/waitFor';

const TTL = 60_000;

/** The 409 code a service call is refused with. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof HttpError) return `${err.status} ${err.code}`;
    throw err;
  }
  return 'accepted';
}

describe('PostgresSeatStore (real PostgreSQL)', function () {
  const clock = new SimulatedClock() as SimulatedClock & Clock;
  let store: PostgresSeatStore;
  let service: SeatService;
  const opened: PostgresSeatStore[] = [];
  // Registered before usePostgres() so the stores close before their database is dropped.
  after(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });
  const db = usePostgres();

  const open = async (options: Partial<PostgresSeatStoreOptions> = {}) => {
    const next = await PostgresSeatStore.open({
      connectionString: db().url,
      venue: new Venue(4, 5),
      ttlMs: TTL,
      clock,
      sweepIntervalMs: 0, // sweeps are run by hand below
      poolSize: 4,
      ...options,
    });
    opened.push(next);
    return next;
  };

  before(async () => {
    clock.set(1_700_000_000_000);
    store = await open();
    service = new SeatService(store, clock);
  });

  it('expires a due lock on the next request, and by the sweeper', async () => {
    const transitions: SeatTransition[] = [];
    store.subscribe((t) => transitions.push(t));
    await service.lock('C1', 'dave');
    await service.lock('C2', 'erin');
    clock.increment(TTL); // both deadlines reached

    // Nobody swept yet: the rows still say locked, but reads ask the machine, which sees them
    // expired (and writes nothing), and so does the next request.
    expect((await store.get('C1')).state).to.equal('available');
    const locked = await store.list({ state: 'locked', limit: 10 });
    expect(locked.seats.map((seat) => seat.id)).not.to.include.members(['C1', 'C2']);
    const row = await store.list({ after: 'B5', limit: 2 });
    expect(row.seats.map((seat) => [seat.id, seat.state])).to.deep.equal([
      ['C1', 'available'],
      ['C2', 'available'],
    ]);
    expect(
      transitions.filter((t) => t.to === 'available'),
      'a read writes nothing',
    ).to.be.empty;
    await service.lock('C1', 'frank');
    await waitFor(() => transitions.some((t) => t.id === 'C1' && t.to === 'available'));
    expect(transitions.filter((t) => t.id === 'C1').map((t) => t.to)).to.deep.equal([
      'locked',
      'available',
      'locked',
    ]);

    // The sweeper expires C2 through the machine; its holder then hears LOCK_EXPIRED.
    expect(await store.sweep()).to.be.at.least(1);
    expect((await store.get('C2')).state).to.equal('available');
    expect(await refusal(service.confirm('C2', 'erin'))).to.equal('409 LOCK_EXPIRED');
    expect(await store.sweep()).to.equal(0);
  });

  it("writes no confirm decided before the lock's deadline once the database is past it: judged again, it is refused as expired", async () => {
    // The database's own clock (no clock given): the statement checks the time it runs at.
    const onDbClock = await open({ clock: undefined });
    const dbNow = onDbClock.clock.now();
    // A lock whose deadline, by the database's clock, is already a second gone.
    const lock = {
      type: 'LOCK',
      userId: 'ivy',
      lockId: 'L-ivy',
      now: dbNow - TTL - 1_000,
    } as const;
    const locked = await onDbClock.apply('D5', lock);
    expect(locked.reply?.type).to.equal('seat.accepted');
    // A confirm stamped just before that deadline, as one whose commit was held up for a second
    // would be: the machine takes it, the write lands after the deadline.
    const late = await onDbClock.apply('D5', {
      type: 'CONFIRM',
      userId: 'ivy',
      lockId: 'L-ivy',
      now: dbNow - 1_001,
    });
    expect(late.reply).to.deep.include({ type: 'seat.refused', code: 'LOCK_EXPIRED' });
    expect((await onDbClock.get('D5')).state).to.equal('available');
  });

  it('keeps every lock and booking, with its deadline, across a restart', async () => {
    const { lockId, expiresAt } = await service.lock('D1', 'gina');
    const booked = await service.lock('D2', 'hank');
    await service.confirm('D2', 'hank', booked.lockId);

    const reopened = await open();
    const lock = (await reopened.get('D1')).context.lock;
    expect(lock).to.include({ userId: 'gina', lockId, until: Date.parse(expiresAt) });
    expect((await reopened.get('D2')).context.booking).to.include({ userId: 'hank' });
  });

  it('refuses to start on a database seeded for another venue', async () => {
    const error = await open({ venue: new Venue(5, 5) }).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(VenueMismatchError);
    expect((error as Error).message).to.match(/4 rows × 5 seats.*SEAT_ROWS=4 SEATS_PER_ROW=5/);
    const ttl = await open({ ttlMs: 5 }).catch((err: unknown) => err);
    expect(ttl).to.be.instanceOf(VenueMismatchError);
  });

  it('opens a million-seat venue without writing a row per seat', async function () {
    const big = await createTestDatabase();
    if (typeof big === 'string') return this.skip();
    try {
      const huge = await open({
        connectionString: big.url,
        venue: new Venue(1000, 1000),
        sweepBatch: 100,
        // 149 locks at once below: let them all wait for a connection (however loaded the machine)
        // rather than be shed.
        queueLimit: 1000,
        connectTimeoutMs: 60_000,
      });
      expect(await huge.summary()).to.include({ total: 1_000_000, available: 1_000_000 });
      await huge.apply('ALL1000', lockEvent('ivy', clock.now()));
      expect(
        (await huge.list({ state: 'locked', limit: 10 })).seats.map((s) => s.id),
      ).to.deep.equal(['ALL1000']);
      const client = new Client({ connectionString: big.url });
      await client.connect();
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM seat');
      await client.end();
      expect(rows[0].n).to.equal(1);

      // A sweep backlog larger than a batch (and than one NOTIFY payload) is worked off in batches.
      const heard: SeatTransition[] = [];
      huge.subscribe((t) => heard.push(t));
      await Promise.all(
        Array.from({ length: 149 }, (_, i) =>
          huge.apply(`A${i + 1}`, lockEvent(`v${i}`, clock.now())),
        ),
      );
      clock.increment(TTL);
      expect([await huge.sweep(), await huge.sweep(), await huge.sweep()]).to.deep.equal([
        100, 50, 0,
      ]);
      expect(await huge.summary()).to.include({ locked: 0, available: 1_000_000 });
      await waitFor(() => heard.filter((t) => t.to === 'available').length === 150);
      await huge.close();
    } finally {
      await big.drop();
    }
  });
});

function lockEvent(userId: string, now: number): SeatRequestEvent {
  return { type: 'LOCK', userId, lockId: `lock-${userId}`, now };
}
