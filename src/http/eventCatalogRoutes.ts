import { Router, type RequestHandler } from 'express';
import type { EventService } from '../boxOffice/EventService';
import { eventListQuerySchema, parseCreateEvent } from './eventSchemas';
import { parse } from './schemas';

/**
 * The events themselves: `POST /events` (API key), `GET /events` (a page, by sales state),
 * `GET /events/:eventId` (details, counts and layout), and the admin's
 * `POST /events/:eventId/open|close|cancel` (API key). Each event's seats are served by the seat
 * routes mounted with the `/events/:eventId` prefix.
 *
 * @example
 * ```ts
 * app.use(eventCatalogRoutes(events, requireApiKey(digests)));
 * ```
 */
export function eventCatalogRoutes(events: EventService, admin: RequestHandler): Router {
  const router = Router();

  router.post('/events', admin, async (req, res) => {
    const event = await events.create(parseCreateEvent(req.body));
    res.status(201).location(`/events/${event.id}`).json({ event });
  });

  router.get('/events', async (req, res) => {
    res.json(await events.list(parse(eventListQuerySchema, req.query)));
  });

  router.get('/events/:eventId', async (req, res) => {
    res.json({ event: await events.details(req.params.eventId) });
  });

  for (const [path, type] of [
    ['open', 'OPEN'],
    ['close', 'CLOSE'],
    ['cancel', 'CANCEL'],
  ] as const) {
    router.post(`/events/:eventId/${path}`, admin, async (req, res) => {
      res.json({ event: await events.admin(String(req.params.eventId), type) });
    });
  }

  return router;
}
