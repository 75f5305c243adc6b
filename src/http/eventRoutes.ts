import { Router } from 'express';
import type { SeatEventHub } from '../events/SeatEventHub';
import type { ServiceFor } from './ServiceFor';

/**
 * `GET /seats/events`: the seat transitions as Server-Sent Events. A reconnecting client resumes
 * with the `Last-Event-ID` header (EventSource sends it by itself) or `?lastEventId=` (for a
 * first connection, where EventSource cannot set headers). Mount it before `/seats/:id`.
 *
 * @example
 * ```ts
 * app.use(eventRoutes(hub));
 * // curl -N http://localhost:3000/seats/events
 * ```
 */
export function eventRoutes(
  hub: SeatEventHub | ServiceFor<SeatEventHub>,
  /** `/events/:eventId` for an event's stream; none for the default event's. */
  prefix = '',
): Router {
  const router = Router();
  const hubFor: ServiceFor<SeatEventHub> = typeof hub === 'function' ? hub : () => hub;

  router.get(`${prefix}/seats/events`, async (req, res) => {
    // Resolved before any header is sent, so an unknown event is a plain 404 problem.
    const events = await hubFor(req);
    const query = req.query.lastEventId;
    const lastEventId = req.get('Last-Event-ID') ?? (typeof query === 'string' ? query : undefined);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Tells nginx-style proxies not to hold events back in a buffer.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    const detach = events.attach(
      {
        write: (chunk) => res.write(chunk),
        end: () => res.end(),
        get pending() {
          return res.writableLength;
        },
      },
      lastEventId?.slice(0, 100),
    );
    res.on('close', detach);
  });

  return router;
}
