import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SeatService } from './SeatService';
import type { SeatTransition, SeatTransitionReason } from './store/SeatStore';

export interface Metrics {
  /** This app's own registry (never prom-client's global one, so many apps can coexist). */
  registry: Registry;
  /**
   * Counts and times a finished request by method, route and status; the request logger calls it
   * (`requestLogger(logger, metrics.observe)`) from the one `finish` listener a request has.
   */
  observe: (req: Request, res: Response, seconds: number) => void;
  /** Stops listening to the store and the service. */
  close(): void;
}

const LOCK_COUNTERS: Record<SeatTransitionReason, [name: string, help: string]> = {
  locked: ['seat_locks_taken_total', 'Locks taken (seat went available → locked).'],
  expired: ['seat_locks_expired_total', 'Locks that lapsed unconfirmed.'],
  released: ['seat_locks_released_total', 'Locks given back by their holder.'],
  confirmed: ['seat_locks_confirmed_total', 'Locks confirmed into bookings.'],
};

/**
 * The service's Prometheus metrics: requests and their latency by route and status, seats by
 * state (read from `store.summary()` at scrape time), locks taken/expired/released/confirmed
 * (from the store's transitions made by this instance) and refused requests by code (from the service).
 *
 * @example
 * ```ts
 * const metrics = createMetrics(service);
 * app.use(requestLogger(logger, metrics.observe));
 * app.get('/metrics', async (_req, res) => res.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
 * ```
 */
export function createMetrics(service: SeatService, options: { process?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.process) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status.',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'seats',
    help: 'Seats by state.',
    labelNames: ['state'],
    registers: [registry],
    // Every worker reads the same shared store: across workers, one of them is the answer.
    aggregator: 'first',
    async collect() {
      const { available, locked, booked } = await service.summary();
      this.set({ state: 'available' }, available);
      this.set({ state: 'locked' }, locked);
      this.set({ state: 'booked' }, booked);
    },
  });
  const locks = Object.fromEntries(
    Object.entries(LOCK_COUNTERS).map(([reason, [name, help]]) => [
      reason,
      new Counter({ name, help, registers: [registry] }),
    ]),
  ) as Record<SeatTransitionReason, Counter>;
  const refused = new Counter({
    name: 'seat_requests_refused_total',
    help: 'Seat requests refused by a machine (409), by code.',
    labelNames: ['code'],
    registers: [registry],
  });

  const unsubscribe = [
    service.store.subscribe((t: SeatTransition) => {
      // Only this instance's: Prometheus sums the instances, and a shared store tells each of
      // them about every instance's transitions.
      if (t.local !== false) locks[t.reason].inc();
    }),
    service.onRefusal((code) => refused.inc({ code })),
  ];

  // One pair of label children per (method, route, status), looked up by a string: prom-client
  // would otherwise hash the label object of every request twice (counter and histogram).
  const series = new Map<string, { count: () => void; observe: (seconds: number) => void }>();
  const seriesOf = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      const counter = requests.labels(method, route, status);
      const histogram = latency.labels(method, route, status);
      found = { count: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      series.set(key, found);
    }
    return found;
  };

  return {
    registry,
    observe: (req, res, seconds) => {
      const { count, observe } = seriesOf(req.method, routeOf(req), String(res.statusCode));
      count();
      observe(seconds);
    },
    close() {
      for (const off of unsubscribe) off();
    },
  };
}

/** The route pattern (`/seats/:id`), never the raw path: raw paths would explode the label set. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? req.baseUrl + path : 'unmatched';
}
