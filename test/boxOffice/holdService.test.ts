import { expect } from 'chai';
import { SimulatedClock } from 'xstate';
import { HoldService } from '../../src/boxOffice/HoldService';
import type { Clock } from '../../src/clock';
import { MemorySeatStore } from '../../src/store/memory/MemorySeatStore';
import { Venue } from '../../src/venue';

const LIMITS = { ttlMs: 60_000, maxExtensions: 2, maxMs: 1_800_000, maxSeats: 10 };

/** A store whose free runs are read, then (once) a seat of the block picked is taken by someone else. */
class RacedStore extends MemorySeatStore {
  raced = 0;
  override async availableRuns(start: number, end: number): Promise<Array<[number, number]>> {
    const runs = await super.availableRuns(start, end);
    if (this.raced++ === 0) {
      // Between the pick and the hold, carol locks the seat best available is about to pick.
      this.applyAllNow([
        { id: 'A5', event: { type: 'LOCK', userId: 'carol', lockId: 'L', now: 0 } },
      ]);
    }
    return runs;
  }
}

describe('HoldService best available', () => {
  it('picks again when a seat it picked is taken before the hold: never a partial hold', async () => {
    const clock = new SimulatedClock() as SimulatedClock & Clock;
    const store = new RacedStore({ venue: new Venue(2, 10), ttlMs: 60_000, clock });
    const holds = new HoldService({
      eventId: 'default',
      seats: store,
      holds: store.createHolds(),
      clock,
      limits: LIMITS,
    });
    const hold = await holds.createBest('alice', { count: 4 });
    expect(store.raced, 'picked twice').to.equal(2);
    // Row A now has A5 locked: A1–A4 or A6–A9 strand nothing; the second pick holds a whole block.
    expect(hold.seats).to.have.length(4);
    expect(hold.seats.map((seat) => seat.id)).not.to.include('A5');
    const states = await Promise.all(hold.seats.map(async ({ id }) => (await store.get(id)).state));
    expect(states).to.deep.equal(['locked', 'locked', 'locked', 'locked']);
    expect((await store.summary()).locked, 'nothing else held').to.equal(5);
    await store.close();
  });
});
