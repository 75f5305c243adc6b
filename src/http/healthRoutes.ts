import { Router } from 'express';
import type { Lifecycle } from '../lifecycle';
import type { SeatStore } from '../store/SeatStore';

/**
 * `/healthz` answers while the process runs; `/readyz` is 200 only when the service should get
 * traffic: started, not draining, and its store reachable (`store.ping()`), else 503 with why.
 */
export function healthRoutes(lifecycle: Lifecycle, store: SeatStore): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    let status: string = lifecycle.state;
    if (status === 'ready') {
      try {
        await store.ping?.();
      } catch {
        status = 'store-unreachable';
      }
    }
    const ready = status === 'ready';
    res.status(ready ? 200 : 503).json({ ready, status });
  });

  return router;
}
