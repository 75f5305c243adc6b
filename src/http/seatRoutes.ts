import { Router, type RequestHandler } from 'express';
import type { SeatService } from '../SeatService';
import { note } from './requestLogger';
import type { ServiceFor } from './ServiceFor';
import { listQuerySchema, parse, seatRequestBodySchema } from './schemas';

/**
 * The seat API. Each handler validates its input, calls the service, and sends what it returns;
 * errors (400, 404, 409, 429) are thrown or passed on and answered by the error handler.
 *
 * @example
 * ```ts
 * app.use(seatRoutes(service, seatActionRateLimit(600).middleware));
 * ```
 */
export function seatRoutes(
  service: SeatService | ServiceFor<SeatService>,
  /** Runs before lock, confirm and release (the rate limit); none by default. */
  actionLimit: RequestHandler = (_req, _res, next) => next(),
  /** `/events/:eventId` for an event's routes; none for the default event's. */
  prefix = '',
): Router {
  const router = Router();
  const serviceFor: ServiceFor<SeatService> =
    typeof service === 'function' ? service : () => service;

  // Before any handler or limiter of a seat route, so every such log line names the seat.
  router.param('id', (_req, res, next, id: string) => {
    note(res, { seatId: id.slice(0, 40) });
    next();
  });

  // One page of seats: `?state=`, `?limit=` (default 1000) and the cursor `?after=<seat id>`.
  // (`/seats/summary` is mounted before this router, in summaryRoutes.)
  router.get(`${prefix}/seats`, async (req, res) => {
    res.json(await (await serviceFor(req)).list(parse(listQuerySchema, req.query)));
  });

  router.get(`${prefix}/seats/:id`, async (req, res) => {
    res.json({ seat: await (await serviceFor(req)).get(String(req.params.id)) });
  });

  router.post(`${prefix}/seats/:id/lock`, actionLimit, async (req, res) => {
    const { userId } = parse(seatRequestBodySchema, req.body);
    note(res, { userId });
    res.json(await (await serviceFor(req)).lock(String(req.params.id), userId));
  });

  router.post(`${prefix}/seats/:id/confirm`, actionLimit, async (req, res) => {
    const { userId, lockId } = parse(seatRequestBodySchema, req.body);
    note(res, { userId });
    res.json(await (await serviceFor(req)).confirm(String(req.params.id), userId, lockId));
  });

  router.post(`${prefix}/seats/:id/release`, actionLimit, async (req, res) => {
    const { userId, lockId } = parse(seatRequestBodySchema, req.body);
    note(res, { userId });
    res.json(await (await serviceFor(req)).release(String(req.params.id), userId, lockId));
  });

  return router;
}
