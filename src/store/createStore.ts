import type { InspectionEvent } from 'xstate';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { Venue } from '../venue';
import { MemorySeatStore } from './memory/MemorySeatStore';
import { PostgresSeatStore } from './postgres/PostgresSeatStore';
import type { SeatStore } from './SeatStore';

export interface StoreDeps {
  clock: Clock;
  /** xstate inspection callback; only the in-memory store runs actors it can show. */
  inspect?: (event: InspectionEvent) => void;
}

/**
 * The one place that picks where seats live: in this process's memory when `DATABASE_URL` is
 * unset, in PostgreSQL when it is set (schema migrated and venue checked before it resolves).
 *
 * @example
 * ```ts
 * const store = await createStore(loadConfig(), { clock: systemClock });
 * const { app } = createApp({ store });
 * ```
 */
export async function createStore(
  config: Pick<
    Config,
    | 'DATABASE_URL'
    | 'SEAT_ROWS'
    | 'SEATS_PER_ROW'
    | 'LOCK_TTL_MS'
    | 'SWEEP_INTERVAL_MS'
    | 'PG_POOL_SIZE'
    | 'PG_STATEMENT_TIMEOUT_MS'
    | 'PG_CONNECT_TIMEOUT_MS'
    | 'PG_QUEUE_LIMIT'
  >,
  { clock, inspect }: StoreDeps,
): Promise<SeatStore> {
  const venue = new Venue(config.SEAT_ROWS, config.SEATS_PER_ROW);
  const ttlMs = config.LOCK_TTL_MS;
  if (config.DATABASE_URL === undefined)
    return new MemorySeatStore({ venue, ttlMs, clock, inspect });
  // No clock: on PostgreSQL every deadline is judged by the database's clock, so instances whose
  // hosts disagree on the time still agree on every lock (the app stamps requests with store.clock).
  return PostgresSeatStore.open({
    connectionString: config.DATABASE_URL,
    venue,
    ttlMs,
    sweepIntervalMs: config.SWEEP_INTERVAL_MS,
    poolSize: config.PG_POOL_SIZE,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
    queueLimit: config.PG_QUEUE_LIMIT,
  });
}
