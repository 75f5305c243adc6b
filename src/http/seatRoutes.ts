import { Router } from 'express';
import type { SeatService } from '../SeatService';
import { parse, seatRequestBodySchema } from './schemas';

/**
 * The seat API. Each handler validates its input, calls the service, and sends what it returns;
 * errors (400, 404, 409) are thrown and answered by the error handler.
 */
export function seatRoutes(service: SeatService): Router {
  const router = Router();

  router.get('/seats', async (_req, res) => {
    const { seats } = await service.list({ limit: service.store.venue.size });
    res.json({ seats });
  });

  router.get('/seats/:id', async (req, res) => {
    res.json({ seat: await service.get(req.params.id) });
  });

  router.post('/seats/:id/lock', async (req, res) => {
    const { userId } = parse(seatRequestBodySchema, req.body);
    res.json(await service.lock(req.params.id, userId));
  });

  router.post('/seats/:id/confirm', async (req, res) => {
    const { userId, lockId } = parse(seatRequestBodySchema, req.body);
    res.json(await service.confirm(req.params.id, userId, lockId));
  });

  router.post('/seats/:id/release', async (req, res) => {
    const { userId, lockId } = parse(seatRequestBodySchema, req.body);
    res.json(await service.release(req.params.id, userId, lockId));
  });

  return router;
}
