import type { Lifecycle } from '../process/lifecycle';
import type { SeatStore } from '../store/SeatStore';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { json } from './responses';
import { healthSchema, readinessSchema, type Readiness } from './schemas';

export const healthz = defineRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process is up.',
  tags: ['operations'],
  security: 'public',
  responses: { 200: json('Up.', healthSchema) },
});

export const readyz = defineRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the service takes traffic (not starting, not draining, store reachable).',
  tags: ['operations'],
  security: 'public',
  responses: {
    200: json('Ready.', readinessSchema),
    503: json('Not ready; `status` says why.', readinessSchema),
  },
});

/**
 * `/healthz` answers while the process runs; `/readyz` is 200 only when the service should get
 * traffic: started, not draining, and its store reachable (`store.ping()`), else 503 with why.
 *
 * @example
 * ```ts
 * healthRoutes(api, lifecycle, store, 2000);
 * ```
 */
export function healthRoutes(
  api: ApiRouter,
  lifecycle: Lifecycle,
  store: SeatStore,
  /** A ping that has not answered by then counts as unreachable (a database behind a dead link). */
  pingTimeoutMs = 2000,
): void {
  api.route(healthz, () => ({ status: 'ok' as const }));

  api.route(readyz, async (_input, res) => {
    let status: Readiness['status'] = lifecycle.state;
    if (status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), pingTimeoutMs);
      });
      try {
        await Promise.race([store.ping(), timeout]);
      } catch {
        status = 'store-unreachable';
      } finally {
        clearTimeout(timer);
      }
    }
    const ready = status === 'ready';
    res.status(ready ? 200 : 503);
    return { ready, status };
  });
}
