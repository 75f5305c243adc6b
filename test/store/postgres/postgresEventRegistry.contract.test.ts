import { systemClock } from '../../../src/clock';
import { PostgresEvents } from '../../../src/store/postgres/PostgresEvents';
import { Venue } from '../../../src/venue';
import { emptyDatabase, usePostgres } from '../../support/postgres';
import { runEventRegistryContract } from '../eventRegistryContract';

describe('PostgresEventRegistry (real PostgreSQL)', () => {
  const db = usePostgres();

  runEventRegistryContract({
    name: 'PostgreSQL',
    // Every case starts on an empty database: the schema is dropped, and opening recreates it.
    newRegistry: async () => {
      await emptyDatabase(db().url);
      const events = await PostgresEvents.open({
        connectionString: db().url,
        venue: new Venue(1, 1),
        ttlMs: 60_000,
        clock: systemClock,
        sweepIntervalMs: 0,
        poolSize: 4,
      });
      return { registry: events.registry, close: () => events.close() };
    },
  });
});
