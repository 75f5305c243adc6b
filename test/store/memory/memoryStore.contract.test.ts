import { MemoryEventStores } from '../../../src/store/memory/MemoryEventStores';
import { MemorySeatStore } from '../../../src/store/memory/MemorySeatStore';
import type { StoreFactory } from '../storeContract';
import { Venue } from '../../../src/venue';
import { runStoreContract } from '../storeContract';

const common: Omit<StoreFactory, 'name' | 'newStore'> = {
  // The store's expiry timers run on the simulated clock: moving it fires them.
  passTime: async (_store, clock, ms) => {
    clock.increment(ms);
    await Promise.resolve();
  },
  propertyRuns: 150,
};

runStoreContract({
  ...common,
  name: 'memory',
  newStore: async ({ rows, seatsPerRow, ttlMs, clock }) =>
    new MemorySeatStore({ venue: new Venue(rows, seatsPerRow), ttlMs, clock }),
});

runStoreContract({
  ...common,
  name: 'memory (an event other than the default one)',
  // An event's seats as createApp opens them beside a memory store.
  newStore: async ({ rows, seatsPerRow, ttlMs, clock }) =>
    new MemoryEventStores({ clock }).openEvent(
      { id: 'hamlet', lockTtlMs: ttlMs },
      new Venue(rows, seatsPerRow),
    ),
});
