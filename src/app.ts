import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from 'proxy-addr';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { InspectionEvent } from 'xstate';
import { ApiKeys } from './auth/ApiKeys';
import { Authenticator } from './auth/Authenticator';
import { boxOfficeTokens, type BoxOfficeTokensOptions } from './auth/BoxOfficeTokens';
import { GuestSessions } from './auth/GuestSessions';
import { systemClock, type Clock } from './clock';
import { DEFAULT_EVENT_ID, EventService } from './boxOffice/EventService';
import { HoldService } from './boxOffice/HoldService';
import { ApiRouter } from './http/ApiRouter';
import type { RouteDeclaration } from './http/defineRoute';
import { docsRoutes } from './http/docsRoutes';
import { eventCatalogRoutes } from './http/eventCatalogRoutes';
import { errorHandler, notFound } from './http/errorHandler';
import { eventRoutes } from './http/eventRoutes';
import { healthRoutes } from './http/healthRoutes';
import { holdRoutes } from './http/holdRoutes';
import { idempotency } from './http/idempotency';
import { jsonBody, readsJsonItself } from './http/jsonBody';
import { LeanLane } from './http/LeanLane';
import type { IdempotencyKeys } from './idempotency/IdempotencyKeys';
import { machineRoutes } from './http/machineRoutes';
import { meRoutes } from './http/meRoutes';
import { metricsRoutes } from './http/metricsRoutes';
import { pageFiles, pageRoutes } from './http/pageRoutes';
import { seatActionRateLimit } from './http/rateLimit';
import { requestLogger } from './http/requestLogger';
import { seatRoutes } from './http/seatRoutes';
import { sessionRoutes } from './http/sessionRoutes';
import { securityHeaders } from './http/securityHeaders';
import { summaryRoutes } from './http/summaryRoutes';
import { SeatEventHub } from './events/SeatEventHub';
import { StreamGate } from './events/StreamGate';
import { Lifecycle } from './process/lifecycle';
import { createLogger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { SeatService } from './SeatService';
import type { ClientLockQuota } from './store/ClientLockQuota';
import type { LockQuota } from './store/LockQuota';
import { MemoryEventStores } from './store/memory/MemoryEventStores';
import { MemorySeatStore } from './store/memory/MemorySeatStore';
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
  /** Where unexpected errors are reported (default: the logger, or `console.error` without one). */
  logError?: (err: unknown) => void;
  /** The inspector relay page the seat map links to (set when the service runs with `INSPECT=1`). */
  inspectorUrl?: string;
  /** `GET /seats/events` sends a heartbeat comment this often, in ms (default 15 000). */
  eventsHeartbeatMs?: number;
  /** How many recent seat events `GET /seats/events` keeps for resuming (default 10 000). */
  eventsBufferSize?: number;
  /** Most event streams open at once in all (default 10 000; `0`: no cap). */
  eventsMaxStreams?: number;
  /** Most event streams one client address may hold open (default 32; `0`: no cap). */
  eventsMaxStreamsPerClient?: number;
  /** An event stream whose socket has not drained within this many ms is closed (default 30 000). */
  eventsDrainTimeoutMs?: number;
  /** Request and error log (pino); default silent, `src/process/server.ts` passes one at `LOG_LEVEL`. */
  logger?: Logger;
  /**
   * Lock, confirm and release requests allowed per client per minute; `0` (the default here) is
   * off. The service's default is 600 (`RATE_LIMIT_PER_MINUTE`): tests that fire many requests
   * from one address build apps without it.
   */
  rateLimitPerMinute?: number;
  /**
   * Express `trust proxy`: the addresses of the proxies whose X-Forwarded-For is believed (IPs,
   * CIDR ranges, `loopback`…); none by default, and the client is the socket's peer.
   */
  trustProxy?: string[];
  /** Most times a hold may be extended (`HOLD_MAX_EXTENSIONS`, default 2). */
  holdMaxExtensions?: number;
  /** Longest a hold may last after it was made, extensions included (`HOLD_MAX_MS`, default 30 min). */
  holdMaxMs?: number;
  /** Most seats in one hold (`MAX_SEATS_PER_HOLD`, default 10). */
  maxSeatsPerHold?: number;
  /** Most locks one user may hold at once (default 10); `0` is no cap. */
  maxLocksPerUser?: number;
  /**
   * The per-user lock cap's host; by default the store's own (`store.createLockQuota`, PostgreSQL:
   * across instances).
   */
  lockQuota?: LockQuota;
  /**
   * Most locks held at once by the guest sessions of one client address (`MAX_LOCKS_PER_CLIENT`);
   * `0`, the default here, is no cap (tests lock from one address for many users). The service's
   * default is 30.
   */
  maxLocksPerClient?: number;
  /**
   * The per-client lock cap's host; by default the store's own (`store.createClientLockQuota`,
   * PostgreSQL: across instances), else an in-memory one over the store's transitions.
   */
  clientLockQuota?: ClientLockQuota;
  /** Where `Idempotency-Key`s live; by default the store's own (PostgreSQL: across instances). */
  idempotencyKeys?: IdempotencyKeys;
  /** Origins allowed to call the API from a browser: `'*'`, a list, or none (the default). */
  corsOrigin?: '*' | string[];
  /** How long `/readyz` waits for `store.ping()` before calling the store unreachable (2000). */
  readyPingTimeoutMs?: number;
  /**
   * SHA-256 hex digests of the API keys of trusted backends (`API_KEYS`): they create, open, close
   * and cancel events, and act for the users they name; none by default.
   */
  apiKeyDigests?: string[];
  /**
   * `AUTH=off`: a write without a credential acts for the user its body names. Local experiments
   * only (the server then listens on loopback); off by default.
   */
  openAuth?: boolean;
  /**
   * The key guest session tokens are signed with (`SESSION_SECRET`, or the database's); by
   * default one generated for this app.
   */
  sessionSecret?: string;
  /** How long a guest session lives, in ms (default 7 200 000: 2 h). */
  sessionTtlMs?: number;
  /** `POST /sessions` per client address per minute; `0`, the default here, is no limit (60 in the service). */
  sessionsPerMinute?: number;
  /** How the box office's own users' JWTs are verified (`JWT_SECRET`, `JWT_PUBLIC_KEY`, `JWKS_URL`…); none by default. */
  boxOffice?: BoxOfficeTokensOptions;
  /** Most verified tokens remembered so repeat requests skip the signature (default 10 000; 0: none). */
  tokenCacheSize?: number;
  /**
   * Serve seat reads, lock, confirm and release on the lean lane, outside Express's set-up, with
   * the same middleware and answers (default `true`; `false` for tests that compare the two).
   */
  leanLane?: boolean;
  /** Also export Node process metrics (CPU, memory, event loop) on `/metrics` (default off). */
  processMetrics?: boolean;
  /**
   * Given this app's metric registry, returns what `/metrics` answers; by default the registry's
   * own exposition. A node:cluster worker passes `shareWorkerMetrics`, so one scrape shows every
   * worker (src/process/clusterMetrics.ts).
   */
  shareMetrics?: (registry: Registry) => () => Promise<string>;
}

export interface SeatApp {
  app: Express;
  /** The default event's seats (the routes without the `/events/:eventId` prefix). */
  service: SeatService;
  /** Every event: the default one and those made with `POST /events`. */
  eventService: EventService;
  store: SeatStore;
  /** The broadcaster behind `GET /seats/events`. */
  events: SeatEventHub;
  /** Starting → ready → draining; `/readyz` reads it, shutdown drives it, SSE watches `closing`. */
  lifecycle: Lifecycle;
  metrics: Metrics;
  /** Every route the app serves, as declared (the OpenAPI document is generated from them). */
  routes: readonly RouteDeclaration[];
  /** Ends every event stream, then stops every seat actor and timer, the limiter's timer and every subscription. */
  /** A closure (no `this`), so it may be destructured from the app. */
  close: () => Promise<void>;
}

/**
 * Builds the seat booking service as an Express app, without listening: tests run it in-process
 * on port 0, `src/process/server.ts` runs it for real. The app starts in lifecycle state `starting`
 * (`/readyz` 503) until `lifecycle.ready()` is called once it listens.
 *
 * @example
 * ```ts
 * const { app, lifecycle, close } = createApp({ rows: 2, seatsPerRow: 5, lockTtlMs: 1500 });
 * const server = app.listen(0, () => lifecycle.ready());
 * ```
 */
export function createApp(options: AppOptions = {}): SeatApp {
  const store: SeatStore =
    options.store ??
    new MemorySeatStore({
      venue: new Venue(options.rows ?? 10, options.seatsPerRow ?? 10),
      ttlMs: options.lockTtlMs ?? 60_000,
      clock: options.clock ?? systemClock,
      inspect: options.inspect,
    });
  // A store with a clock of its own (PostgreSQL: the database's) stamps every request with it.
  const clock = options.clock ?? store.clock ?? systemClock;
  const maxLocks = options.maxLocksPerUser ?? 10;
  // Every store hosts the caps itself, so a shared store holds them across instances.
  const quota = options.lockQuota ?? (maxLocks > 0 ? store.createLockQuota(maxLocks) : undefined);
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const maxClientLocks = options.maxLocksPerClient ?? 0;
  // Every event where the default event's seats are (PostgreSQL: the same database, so every
  // instance serves every event), else in this process.
  const eventStores = store.events ?? new MemoryEventStores({ clock, inspect: options.inspect });
  // Every hold's limits but its TTL, which is its event's lock TTL.
  const holdLimits = {
    maxExtensions: options.holdMaxExtensions ?? 2,
    maxMs: options.holdMaxMs ?? 30 * 60_000,
    maxSeats: options.maxSeatsPerHold ?? 10,
  };
  const eventService = new EventService({
    registry: eventStores.registry,
    clock,
    lockTtlMs,
    sharedSeats: store.events !== undefined,
    // Another event's seats: the same kind of store, caps and stream as the default event's, its
    // own. Both caps count per event: MAX_LOCKS_PER_USER as the issue asks, MAX_LOCKS_PER_CLIENT
    // because it guards that cap against guest sessions minted from one address (and so no
    // transaction spans two events).
    openSeats: (event, layout, sales) => {
      const seats = eventStores.openEvent(event, layout);
      const cap = maxLocks > 0 ? seats.createLockQuota(maxLocks) : undefined;
      const clientCap =
        maxClientLocks > 0 ? seats.createClientLockQuota(maxClientLocks) : undefined;
      const hub = new SeatEventHub(seats, {
        clock,
        heartbeatMs: options.eventsHeartbeatMs,
        bufferSize: options.eventsBufferSize,
      });
      lifecycle.onShutdown(() => hub.close());
      const holds = new HoldService({
        eventId: event.id,
        seats,
        holds: seats.createHolds(),
        clock,
        limits: { ttlMs: event.lockTtlMs, ...holdLimits },
        quota: cap,
        clientQuota: clientCap,
        sales,
        places: true,
      });
      return {
        service: new SeatService(seats, clock, cap, sales, true, clientCap),
        holds,
        hub,
        async close() {
          hub.close();
          cap?.close();
          await clientCap?.close();
          await seats.close();
        },
      };
    },
  });
  const clientQuota =
    options.clientLockQuota ??
    (maxClientLocks > 0 ? store.createClientLockQuota(maxClientLocks) : undefined);
  const service = new SeatService(
    store,
    clock,
    quota,
    eventService.salesGate(DEFAULT_EVENT_ID),
    false,
    clientQuota,
  );
  const holdService = new HoldService({
    eventId: DEFAULT_EVENT_ID,
    seats: store,
    holds: store.createHolds(),
    clock,
    limits: { ttlMs: lockTtlMs, ...holdLimits },
    quota,
    clientQuota,
    sales: eventService.salesGate(DEFAULT_EVENT_ID),
  });
  const logger = options.logger ?? createLogger('silent');
  const logError =
    options.logError ??
    (options.logger ? (err: unknown) => logger.error({ err }, 'unexpected error') : undefined);
  const lifecycle = new Lifecycle();
  const metrics = createMetrics(service, { process: options.processMetrics });
  const scrapeMetrics =
    options.shareMetrics?.(metrics.registry) ?? (() => metrics.registry.metrics());
  const limit = options.rateLimitPerMinute ? seatActionRateLimit(options.rateLimitPerMinute) : null;
  const sessionLimit = options.sessionsPerMinute
    ? seatActionRateLimit(options.sessionsPerMinute, 'new sessions')
    : null;
  const sessions = new GuestSessions({
    secret: options.sessionSecret ?? randomBytes(32).toString('base64url'),
    ttlMs: options.sessionTtlMs ?? 7_200_000,
    clock,
  });
  const auth = new Authenticator({
    sessions,
    boxOffice: options.boxOffice && boxOfficeTokens(options.boxOffice),
    apiKeys: new ApiKeys(options.apiKeyDigests ?? []),
    clock,
    open: options.openAuth,
    cacheSize: options.tokenCacheSize,
  });
  const events = new SeatEventHub(store, {
    clock,
    heartbeatMs: options.eventsHeartbeatMs,
    bufferSize: options.eventsBufferSize,
    drainTimeoutMs: options.eventsDrainTimeoutMs,
  });
  const streamGate = new StreamGate({
    maxTotal: options.eventsMaxStreams ?? 10_000,
    maxPerClient: options.eventsMaxStreamsPerClient ?? 32,
  });
  // Draining ends the event streams first: they are the connections that would never finish.
  lifecycle.onShutdown(() => events.close());
  // The default event: the venue this app was configured with, on sale from the start, served by
  // the routes without the `/events/:eventId` prefix as well.
  const grid = store.venue instanceof Venue ? store.venue : new Venue(1, store.venue.size);
  // Its record is written in the background (requests wait for it); a failure is retried by them.
  eventService.adopt(
    {
      id: DEFAULT_EVENT_ID,
      name: 'Default event',
      startsAt: null,
      lockTtlMs,
      layout: { rows: grid.rows, seatsPerRow: grid.seatsPerRow },
    },
    () => ({ service, holds: holdService, hub: events, close: async () => {} }),
  );
  const seatsOf = (req: Request) => eventService.seatsOf(String(req.params.eventId));

  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy?.length) app.set('trust proxy', options.trustProxy);
  // What every request meets first, in this order (the lean lane runs the same).
  const front: RequestHandler[] = [
    requestLogger(logger, metrics.observe),
    // No upgrade-insecure-requests: the seat map is also served over plain http on a LAN address.
    securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
  ];
  if (options.corsOrigin) {
    front.push(
      cors({
        origin: options.corsOrigin,
        exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      }),
    );
  }
  for (const middleware of front) app.use(middleware);
  // A layout of many sections is larger than any seat request: its own limit, parsed first.
  app.post('/events', express.json({ limit: '2mb' }));
  const bodyLimit = 16 * 1024;
  const body = jsonBody(bodyLimit);
  app.use(body);
  // Every API route, each from its one declaration. Streams and summaries before the seat
  // routes: `/seats/:id` would take `events` and `summary` for seat ids. What a handler throws is
  // answered by the same error handler as everything else, without a walk through the routes.
  const answerError = errorHandler(logError);
  // Seat reads and actions are also served outside Express's per-request set-up (LeanLane).
  const lane =
    options.leanLane === false
      ? undefined
      : new LeanLane({
          front,
          body: { middleware: body, readsItself: (req) => readsJsonItself(req, bodyLimit) },
          answerError,
          // Express's own settings, read at each request as its getters do.
          parseQuery: (query) => {
            const parse = app.get('query parser fn') as ((query: string) => unknown) | undefined;
            return parse ? parse(query) : {};
          },
          clientAddress: (req) =>
            proxyAddr(req, app.get('trust proxy fn') as (address: string, hop: number) => boolean),
          notFound,
          logUnanswered: (err) => {
            if (app.get('env') !== 'test') console.error((err as Error | undefined)?.stack ?? err);
          },
        });
  if (lane) {
    // `app(req, res)` calls `app.handle`: so does every server made from it, tests' included.
    type Handle = (req: IncomingMessage, res: ServerResponse, done?: () => void) => void;
    const served = app as unknown as { handle: Handle };
    const handle = served.handle.bind(app);
    served.handle = (req, res, done) => {
      if (!lane.handle(req, res)) handle(req, res, done);
    };
  }
  // Registered on the app's own router, after the middleware above: no nested router to dispatch.
  const api = new ApiRouter(
    { caller: auth.caller, backend: auth.backend },
    answerError,
    app.router,
    lane,
  );
  sessionRoutes(api, sessions, sessionLimit?.middleware);
  eventRoutes(api, events, false, streamGate);
  summaryRoutes(api, service);
  seatRoutes(api, service, limit?.middleware);
  const idempotencyKeys = options.idempotencyKeys ?? store.createIdempotencyKeys();
  const idempotent = idempotency(idempotencyKeys, clock);
  holdRoutes(api, holdService, false, idempotent);
  eventCatalogRoutes(api, eventService);
  // Every seat route again per event (`/events/:eventId/...`), in the same order.
  eventRoutes(api, async (req) => (await seatsOf(req)).hub, true, streamGate);
  summaryRoutes(api, async (req) => (await seatsOf(req)).service, true);
  seatRoutes(api, async (req) => (await seatsOf(req)).service, limit?.middleware, true);
  holdRoutes(api, async (req) => (await seatsOf(req)).holds, true, idempotent);
  meRoutes(api, eventService);
  machineRoutes(api);
  healthRoutes(api, lifecycle, store, options.readyPingTimeoutMs);
  docsRoutes(api);
  metricsRoutes(api, metrics.registry.contentType, scrapeMetrics);
  pageRoutes(api, {
    // The default event is always a grid (SEAT_ROWS × SEATS_PER_ROW).
    venue: grid,
    lockTtlMs: options.lockTtlMs ?? 60_000,
    inspectorUrl: options.inspectorUrl ?? null,
  });
  // Last: the API never pays for express.static looking for a file first.
  app.use(pageFiles());
  app.use(notFound);
  app.use(answerError);

  return {
    app,
    service,
    eventService,
    store,
    events,
    lifecycle,
    metrics,
    routes: api.routes,
    async close() {
      events.close();
      await eventService.close();
      limit?.close();
      sessionLimit?.close();
      metrics.close();
      if (!options.lockQuota) quota?.close();
      if (!options.clientLockQuota) await clientQuota?.close();
      if (!options.idempotencyKeys) await idempotencyKeys.close();
      await store.close();
    },
  };
}
