import { Router } from 'express';
import type { Lifecycle } from '../process/lifecycle';
import type { SeatStore } from '../store/SeatStore';

/**
 * `/healthz` answers while the process runs; `/readyz` is 200 only when the service should get
 * traffic: started, not draining, and its store reachable (`store.ping()`), else 503 with why.
 *
 * @example
 * ```ts
 * app.use(healthRoutes(lifecycle, store, 2000));
 * ```
 */
export function healthRoutes(
  lifecycle: Lifecycle,
  store: SeatStore,
  /** A ping that has not answered by then counts as unreachable (a database behind a dead link). */
  pingTimeoutMs = 2000,
): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    let status: string = lifecycle.state;
    if (status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), pingTimeoutMs);
      });
      try {
        await Promise.race([store.ping?.(), timeout]);
      } catch {
        status = 'store-unreachable';
      } finally {
        clearTimeout(timer);
      }
    }
    const ready = status === 'ready';
    res.status(ready ? 200 : 503).json({ ready, status });
  });

  return router;
}
