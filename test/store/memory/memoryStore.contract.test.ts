import { MemorySeatStore } from '../../../src/store/memory/MemorySeatStore';
import { Venue } from '../../../src/venue';
import { runStoreContract } from '../storeContract';

runStoreContract({
  name: 'memory',
  newStore: async ({ rows, seatsPerRow, ttlMs, clock }) =>
    new MemorySeatStore({ venue: new Venue(rows, seatsPerRow), ttlMs, clock }),
  // The store's expiry timers run on the simulated clock: moving it fires them.
  passTime: async (_store, clock, ms) => {
    clock.increment(ms);
    await Promise.resolve();
  },
  propertyRuns: 150,
});
