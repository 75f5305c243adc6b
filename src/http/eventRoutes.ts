import { Router } from 'express';
import type { SeatEventHub } from '../events/SeatEventHub';

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
export function eventRoutes(hub: SeatEventHub): Router {
  const router = Router();

  router.get('/seats/events', (req, res) => {
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
    const detach = hub.attach(
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
