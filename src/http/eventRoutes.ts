import { z } from 'zod';
import type { SeatEventHub } from '../events/SeatEventHub';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { perEvent } from './perEvent';
import { problemResponse } from './responses';
import type { ServiceFor } from './ServiceFor';
import type { StreamGate, StreamRefusal } from '../events/StreamGate';
import { clientKey } from './clientKey';
import { HttpError } from './HttpError';

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
    429: problemResponse(
      'TOO_MANY_STREAMS: this address (EVENTS_MAX_STREAMS_PER_CLIENT) or the service (EVENTS_MAX_STREAMS) has the most streams open.',
      {
        'Retry-After': { description: 'Seconds to wait before connecting again.', type: 'integer' },
      },
    ),
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
  /** The stream caps (per address and in all), shared by every event's stream. */
  gate?: StreamGate,
): void {
  const hubFor: ServiceFor<SeatEventHub> = typeof hub === 'function' ? hub : () => hub;
  // `lastEventId` is read by hand, not declared: a malformed one is not an error, only a reason
  // to start the stream afresh (the hub sends `resync`).
  api.route(prefixed ? perEvent(seatEvents) : seatEvents, async (_input, res, req) => {
    if (gate) {
      // Streams are public reads: counted by the address they come from, never by a user.
      const client = clientKey(req.ip);
      const refused = gate.enter(client);
      if (refused) throw streamRefusal(refused);
      res.once('close', () => gate.leave(client));
    }
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
        onceDrained: (listener) => res.once('drain', listener),
        destroy: () => res.destroy(),
      },
      lastEventId?.slice(0, 100),
    );
    res.on('close', detach);
  });
}

/** The 429 for a stream a cap refused; the detail names the cap, never who else holds streams. */
function streamRefusal({ scope, max }: StreamRefusal): HttpError {
  const detail =
    scope === 'client'
      ? `Your address already has ${max} seat event streams open, the most one address may; close one (each open seat-map tab keeps one) and connect again.`
      : `The service is serving the most seat event streams it can (${max}); connect again in a minute.`;
  return new HttpError(429, 'TOO_MANY_STREAMS', detail, {
    'Retry-After': scope === 'client' ? '10' : '60',
  });
}
