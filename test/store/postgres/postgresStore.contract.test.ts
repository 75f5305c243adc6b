import { PostgresEvents } from '../../../src/store/postgres/PostgresEvents';
import { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import type { SeatStore } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { emptyDatabase, usePostgres } from '../../support/postgres';
import { runStoreContract, type StoreFactory, type StoreSettings } from '../storeContract';

describe('PostgresSeatStore (real PostgreSQL)', () => {
  const db = usePostgres();

  const open = ({ rows, seatsPerRow, ttlMs, clock }: StoreSettings) =>
    PostgresSeatStore.open({
      connectionString: db().url,
      venue: new Venue(rows, seatsPerRow),
      ttlMs,
      clock,
      sweepIntervalMs: 0, // the contract lets time pass by hand: passTime sweeps
      poolSize: 4,
    });

  /**
   * Event `hamlet`'s seats, beside a default event of one seat: every row keyed by the event's id.
   * Closing the store closes its instance's connections too.
   */
  const openHamlet = async ({ rows, seatsPerRow, ttlMs, clock }: StoreSettings) => {
    const events = await PostgresEvents.open({
      connectionString: db().url,
      venue: new Venue(1, 1),
      ttlMs: 1000,
      clock,
      sweepIntervalMs: 0,
      poolSize: 4,
    });
    const store = events.openEvent(
      { id: 'hamlet', lockTtlMs: ttlMs },
      new Venue(rows, seatsPerRow),
    );
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await events.close();
    };
    return store;
  };

  const common: Omit<StoreFactory, 'name' | 'newStore'> = {
    passTime: async (store: SeatStore, clock, ms) => {
      clock.increment(ms);
      await (store as PostgresSeatStore).sweep();
    },
    propertyRuns: 25,
  };

  // Every case starts on an empty database: the schema is dropped, and opening recreates it.
  runStoreContract({
    ...common,
    name: 'PostgreSQL',
    newStore: async (settings) => {
      await emptyDatabase(db().url);
      return open(settings);
    },
    openShared: open,
  });

  runStoreContract({
    ...common,
    name: 'PostgreSQL (an event other than the default one)',
    newStore: async (settings) => {
      await emptyDatabase(db().url);
      return openHamlet(settings);
    },
    openShared: openHamlet,
  });
});
