import { Router } from 'express';
import type { SeatService } from '../SeatService';
import { holderBodySchema, listQuerySchema, lockBodySchema, parse } from './schemas';

/**
 * The seat API. Each handler validates its input, calls the service, and sends what it returns;
 * errors (400, 404, 409) are thrown and answered by the error handler.
 */
export function seatRoutes(service: SeatService): Router {
  const router = Router();

  // One page of seats: `?state=`, `?limit=` (default 1000) and the cursor `?after=<seat id>`.
  router.get('/seats', async (req, res) => {
    res.json(await service.list(parse(listQuerySchema, req.query)));
  });

  // Declared before `/seats/:id`, which would otherwise take `summary` for a seat id.
  router.get('/seats/summary', async (_req, res) => {
    res.json(await service.summary());
  });

  router.get('/seats/:id', async (req, res) => {
    res.json({ seat: await service.get(req.params.id) });
  });

  router.post('/seats/:id/lock', async (req, res) => {
    const { userId } = parse(lockBodySchema, req.body);
    res.json(await service.lock(req.params.id, userId));
  });

  router.post('/seats/:id/confirm', async (req, res) => {
    const { userId, lockId } = parse(holderBodySchema, req.body);
    res.json(await service.confirm(req.params.id, userId, lockId));
  });

  router.post('/seats/:id/release', async (req, res) => {
    const { userId, lockId } = parse(holderBodySchema, req.body);
    res.json(await service.release(req.params.id, userId, lockId));
  });

  return router;
}
