import { Client } from 'pg';
import { PostgresSeatStore } from '../../../src/store/postgres/PostgresSeatStore';
import type { SeatStore } from '../../../src/store/SeatStore';
import { Venue } from '../../../src/venue';
import { usePostgres } from '../../support/postgres';
import { runStoreContract, type StoreSettings } from '../storeContract';

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

  runStoreContract({
    name: 'PostgreSQL',
    // Every case starts on an empty database: the schema is dropped, and opening recreates it.
    newStore: async (settings) => {
      const client = new Client({ connectionString: db().url });
      await client.connect();
      try {
        await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      } finally {
        await client.end();
      }
      return open(settings);
    },
    openShared: open,
    passTime: async (store: SeatStore, clock, ms) => {
      clock.increment(ms);
      await (store as PostgresSeatStore).sweep();
    },
    propertyRuns: 25,
  });
});
