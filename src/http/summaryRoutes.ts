import { Router } from 'express';
import type { SeatService } from '../SeatService';

/**
 * `GET /seats/summary`: `{total, available, locked, booked}` from the store's counters, so the
 * seat map can show a venue too big to list. Mount it before `/seats/:id`.
 *
 * @example
 * ```ts
 * app.use(summaryRoutes(service)); // GET /seats/summary → {"total":100,"available":97,"locked":2,"booked":1}
 * ```
 */
export function summaryRoutes(service: SeatService): Router {
  const router = Router();
  router.get('/seats/summary', async (_req, res) => {
    res.json(await service.summary());
  });
  return router;
}
