import { expect } from 'chai';
import { KEEP_CONFIRMED_MS, KEEP_ENDED_MS } from '../../../src/store/memory/MemoryHoldStore';
import { MemorySeatStore } from '../../../src/store/memory/MemorySeatStore';
import { Venue } from '../../../src/venue';
import { ManualClock } from '../../support/ManualClock';

describe('MemoryHoldStore keeps finished holds only as long as they are asked about', () => {
  const TTL = 60_000;
  const limits = { ttlMs: TTL, maxExtensions: 2, maxMs: 30 * 60_000, maxSeats: 4 };

  it('drops released and expired holds a grace after their deadline, and booked ones after the 24 h retry window', async () => {
    const clock = new ManualClock();
    clock.travel(1_000_000);
    const store = new MemorySeatStore({ venue: new Venue(1, 8), ttlMs: TTL, clock });
    const holds = store.createHolds();
    const make = (id: string, seats: string[]) =>
      holds.create({ id, ...limits }, { type: 'CREATE', userId: 'alice', seats, now: clock.now() });
    for (const [id, seats] of [
      ['H1', ['A1', 'A2']],
      ['H2', ['A3']],
      ['H3', ['A4']],
    ] as const)
      expect((await make(id, [...seats])).ok).to.equal(true);
    const confirm = {
      type: 'CONFIRM',
      userId: 'alice',
      bookingId: 'B1',
      now: clock.now(),
    } as const;
    expect((await holds.send('H1', confirm)).ok).to.equal(true);
    await holds.send('H2', { type: 'RELEASE', userId: 'alice', now: clock.now() });
    const state = async (id: string) => (await holds.get(id, clock.now()))?.state;

    clock.travel(clock.now() + TTL + KEEP_ENDED_MS - 1);
    expect(await state('H3'), 'within the grace: still told it expired').to.equal('expired');
    expect(await state('H2')).to.equal('released');
    clock.travel(clock.now() + 60_001);
    expect(await state('H3'), 'expired, past the grace').to.equal(undefined);
    expect(await state('H2'), 'released, past the grace').to.equal(undefined);
    const retried = await holds.send('H1', { ...confirm, bookingId: 'B2', now: clock.now() });
    expect(retried.ok && retried.hold.context.booking?.id, 'the same booking').to.equal('B1');

    clock.travel(confirm.now + KEEP_CONFIRMED_MS);
    expect(await state('H1'), 'booked, past 24 h').to.equal(undefined);
    expect((await store.get('A1')).state, 'the seats stay booked').to.equal('booked');
  });

  it('never drops an open hold, however long it has been open', async () => {
    const clock = new ManualClock();
    const store = new MemorySeatStore({ venue: new Venue(1, 4), ttlMs: TTL, clock });
    const holds = store.createHolds();
    const long = { ...limits, ttlMs: 10 * KEEP_CONFIRMED_MS, maxMs: 10 * KEEP_CONFIRMED_MS };
    await holds.create(
      { id: 'H1', ...long },
      { type: 'CREATE', userId: 'a', seats: ['A1'], now: 0 },
    );
    clock.travel(2 * KEEP_CONFIRMED_MS);
    expect((await holds.get('H1', clock.now()))?.state).to.equal('open');
  });
});
