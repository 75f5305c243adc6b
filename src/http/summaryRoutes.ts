import { Router } from 'express';
import type { SeatService } from '../SeatService';
import type { ServiceFor } from './ServiceFor';

/**
 * `GET /seats/summary`: `{total, available, locked, booked}` from the store's counters, so the
 * seat map can show a venue too big to list. Mount it before `/seats/:id`.
 *
 * @example
 * ```ts
 * app.use(summaryRoutes(service)); // GET /seats/summary → {"total":100,"available":97,"locked":2,"booked":1}
 * ```
 */
export function summaryRoutes(
  service: SeatService | ServiceFor<SeatService>,
  /** `/events/:eventId` for an event's route; none for the default event's. */
  prefix = '',
): Router {
  const router = Router();
  const serviceFor: ServiceFor<SeatService> =
    typeof service === 'function' ? service : () => service;
  router.get(`${prefix}/seats/summary`, async (req, res) => {
    res.json(await (await serviceFor(req)).summary());
  });
  return router;
}
