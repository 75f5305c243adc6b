import { z } from 'zod';
import type { SeatEventHub } from '../events/SeatEventHub';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { perEvent } from './perEvent';
import type { ServiceFor } from './ServiceFor';

export const seatEvents = defineRoute({
  method: 'get',
  path: '/seats/events',
  summary:
    'Server-sent events: every seat transition as {"id","from","to","reason","at"} (reason: locked, confirmed, released or expired, as the seat machine decided), expiries included. Resume with Last-Event-ID; a `resync` event asks the client to reload the seats.',
  tags: ['seats'],
  security: 'public',
  responses: {
    200: {
      description: 'An endless event stream with heartbeat comments.',
      contentType: 'text/event-stream',
      schema: z.string(),
    },
  },
});

/**
 * `GET /seats/events`: the seat transitions as Server-Sent Events. A reconnecting client resumes
 * with the `Last-Event-ID` header (EventSource sends it by itself) or `?lastEventId=` (for a
 * first connection, where EventSource cannot set headers). Register it before `/seats/:id`.
 *
 * @example
 * ```ts
 * eventRoutes(api, hub);
 * // curl -N http://localhost:3000/seats/events
 * ```
 */
export function eventRoutes(
  api: ApiRouter,
  hub: SeatEventHub | ServiceFor<SeatEventHub>,
  /** Under `/events/:eventId` for an event's stream; none for the default event's. */
  prefixed = false,
): void {
  const hubFor: ServiceFor<SeatEventHub> = typeof hub === 'function' ? hub : () => hub;
  // `lastEventId` is read by hand, not declared: a malformed one is not an error, only a reason
  // to start the stream afresh (the hub sends `resync`).
  api.route(prefixed ? perEvent(seatEvents) : seatEvents, async (_input, res, req) => {
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
}
