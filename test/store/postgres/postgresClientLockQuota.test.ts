import { expect } from 'chai';
import { Client } from 'pg';
import { createApp, type SeatApp } from '../../../src/app';
import { HoldService } from '../../../src/boxOffice/HoldService';
import { outcome } from '../../support/outcome';
import { usePostgresStores } from '../../support/postgres';

describe('MAX_LOCKS_PER_CLIENT on PostgreSQL (PostgresClientLockQuota)', function () {
  this.timeout(60_000);
  const { clock, db, open, onClose } = usePostgresStores();

  const instance = async (): Promise<SeatApp> => {
    const store = await open();
    const seatApp = createApp({ store, clock, maxLocksPerUser: 10, maxLocksPerClient: 3 });
    onClose(() => seatApp.close());
    return seatApp;
  };

  it('holds across two instances: an address’s sessions together hold at most the cap', async () => {
    const [one, two] = [await instance(), await instance()];
    const from = '203.0.113.9';
    const concurrent = await Promise.all(
      ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'].map((seat, i) =>
        outcome((i % 2 ? one : two).service.lock(seat, `guest-${i}`, from)),
      ),
    );
    expect(concurrent.filter((r) => r === '200')).to.have.length(3);
    expect(concurrent.filter((r) => r === '409 TOO_MANY_CLIENT_LOCKS')).to.have.length(3);
    expect((await one.service.summary()).locked).to.equal(3);
    expect(
      await outcome(two.service.lock('B1', 'guest-9', '198.51.100.7')),
      'another address',
    ).to.equal('200');
    expect(
      await outcome(one.service.lock('B2', 'backend-user', undefined)),
      'not counted',
    ).to.equal('200');

    // A lock that ends, on either instance, stops counting on both.
    const locked = (await one.service.list({ state: 'locked', limit: 10 })).seats.map((s) => s.id);
    const first = concurrent.findIndex((r) => r === '200');
    const seat = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'][first];
    expect(locked).to.include(seat);
    await one.service.release(seat, `guest-${first}`);
    expect(await outcome(two.service.lock('B3', 'guest-10', from))).to.equal('200');
    expect(await outcome(one.service.lock('B4', 'guest-11', from))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );

    // Expiry too: past the deadline nothing from this address counts any more.
    clock.increment(60_000);
    expect(await outcome(one.service.lock('B4', 'guest-11', from))).to.equal('200');
  });

  it('has, past every earlier deadline, a row within its deadline only for the one live lock', async () => {
    const client = new Client({ connectionString: db().url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM client_lock WHERE until > $1',
        [clock.now()],
      );
      expect(Number(rows[0].n)).to.equal(1);
    } finally {
      await client.end();
    }
  });
  it('counts held seats across two instances, all or nothing, extensions included', async () => {
    const holdService = async () => {
      const store = await open();
      const clientQuota = store.createClientLockQuota(3);
      onClose(() => clientQuota.close());
      const limits = { ttlMs: 60_000, maxExtensions: 2, maxMs: 30 * 60_000, maxSeats: 4 };
      const holds = store.createHolds();
      return new HoldService({
        eventId: 'default',
        seats: store,
        holds,
        clock,
        limits,
        clientQuota,
      });
    };
    const [one, two] = [await holdService(), await holdService()];
    const from = '192.0.2.44';
    const hold = await one.create('g1', ['A8', 'A9'], from);
    expect(await outcome(two.create('g2', ['A10', 'B9'], from))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );
    expect(await outcome(two.addSeats('g1', hold.id, ['A10', 'B9'], from))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );
    // Extended past its first deadline, the hold still counts (its rows last as long as it can).
    clock.increment(50_000);
    await two.extend('g1', hold.id);
    clock.increment(50_000);
    expect(await outcome(one.create('g3', ['B8', 'B9'], from))).to.equal(
      '409 TOO_MANY_CLIENT_LOCKS',
    );
    expect(await outcome(one.create('g3', ['B8'], from))).to.equal('200');
  });
});
