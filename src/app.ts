import express, { type Express } from 'express';
import type { InspectionEvent } from 'xstate';
import { seatMachine } from '../machines/seatMachine';
import { systemClock, type Clock } from './clock';
import { SeatEventHub } from './events/SeatEventHub';
import { errorHandler, notFound } from './http/errorHandler';
import { eventRoutes } from './http/eventRoutes';
import { pageRoutes } from './http/pageRoutes';
import { seatRoutes } from './http/seatRoutes';
import { summaryRoutes } from './http/summaryRoutes';
import { SeatService } from './SeatService';
import { MemorySeatStore } from './store/MemorySeatStore';
import type { SeatStore } from './store/SeatStore';
import { Venue } from './venue';

export interface AppOptions {
  /** Rows in the venue (default 10). */
  rows?: number;
  /** Seats in each row (default 10). */
  seatsPerRow?: number;
  /** How long a lock lives, in ms (default 60 000). */
  lockTtlMs?: number;
  /** Time source; tests pass xstate's `SimulatedClock`. */
  clock?: Clock;
  /** A ready store; by default an in-memory one built from the options above. */
  store?: SeatStore;
  /** xstate inspection callback given to every seat actor (the Stately inspector). */
  inspect?: (event: InspectionEvent) => void;
  /** Where unexpected errors are reported (default `console.error`). */
  logError?: (err: unknown) => void;
  /** The inspector relay page the seat map links to (set when the service runs with `INSPECT=1`). */
  inspectorUrl?: string;
  /** `GET /seats/events` sends a heartbeat comment this often, in ms (default 15 000). */
  eventsHeartbeatMs?: number;
  /** How many recent seat events `GET /seats/events` keeps for resuming (default 10 000). */
  eventsBufferSize?: number;
}

export interface SeatApp {
  app: Express;
  service: SeatService;
  store: SeatStore;
  /** The broadcaster behind `GET /seats/events`. */
  events: SeatEventHub;
  /** Ends every event stream, then stops every seat actor and timer. */
  close(): Promise<void>;
}

/**
 * Builds the seat booking service as an Express app, without listening: tests run it in-process
 * on port 0, `src/server.ts` runs it for real.
 *
 * @example
 * ```ts
 * const { app, close } = createApp({ rows: 2, seatsPerRow: 5, lockTtlMs: 1500 });
 * const server = app.listen(0);
 * ```
 */
export function createApp(options: AppOptions = {}): SeatApp {
  const clock = options.clock ?? systemClock;
  const store =
    options.store ??
    new MemorySeatStore({
      venue: new Venue(options.rows ?? 10, options.seatsPerRow ?? 10),
      ttlMs: options.lockTtlMs ?? 60_000,
      clock,
      inspect: options.inspect,
    });
  const service = new SeatService(store, clock);
  const events = new SeatEventHub(store, {
    clock,
    heartbeatMs: options.eventsHeartbeatMs,
    bufferSize: options.eventsBufferSize,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  // Both before seatRoutes: `/seats/:id` would take `events` and `summary` for seat ids.
  app.use(eventRoutes(events));
  app.use(summaryRoutes(service));
  app.use(seatRoutes(service));
  app.get('/machine', (_req, res) => {
    res.json(seatMachine.toJSON());
  });
  // Last: the API never pays for express.static looking for a file first.
  app.use(
    pageRoutes({
      venue: store.venue,
      lockTtlMs: options.lockTtlMs ?? 60_000,
      inspectorUrl: options.inspectorUrl ?? null,
    }),
  );
  app.use(notFound);
  app.use(errorHandler(options.logError));

  return {
    app,
    service,
    store,
    events,
    close: async () => {
      events.close();
      await store.close();
    },
  };
}
