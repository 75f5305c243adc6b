import type { RequestHandler } from 'express';
import type { SeatService } from '../SeatService';
import type { ApiRouter } from './ApiRouter';
import { defineRoute, type RouteDeclaration } from './defineRoute';
import { perEvent } from './perEvent';
import { lockCapClient } from './lockCapClient';
import { note } from './requestLogger';
import type { ServiceFor } from './ServiceFor';
import { INTERNAL, NO_SEAT, json, problemResponse } from './responses';
import {
  actionResponseSchema,
  listQuerySchema,
  lockResponseSchema,
  seatListResponseSchema,
  seatParamsSchema,
  seatRequestBodySchema,
  seatResponseSchema,
} from './schemas';

/** The problems every seat action (lock, confirm, release) may answer with. */
const ACTION_PROBLEMS = {
  400: problemResponse('INVALID_REQUEST: the body is not the JSON object described.'),
  ...NO_SEAT,
  413: problemResponse('PAYLOAD_TOO_LARGE: the body is over 16 kB.'),
  415: problemResponse('UNSUPPORTED_MEDIA_TYPE: the JSON body is not UTF-8.'),
  429: problemResponse('RATE_LIMITED: too many seat actions from this client; wait and retry.', {
    'Retry-After': { description: 'Seconds to wait before the next seat action.', type: 'integer' },
  }),
  ...INTERNAL,
};

export const listSeats = defineRoute({
  method: 'get',
  path: '/seats',
  summary: 'One page of seats, row by row: all of them, or those in one state.',
  tags: ['seats'],
  security: 'public',
  query: listQuerySchema,
  responses: {
    200: json('The page, and the cursor to the next one.', seatListResponseSchema),
    400: problemResponse('INVALID_REQUEST: state, limit or after is not a value described.'),
    ...NO_SEAT,
    ...INTERNAL,
  },
});

export const getSeat = defineRoute({
  method: 'get',
  path: '/seats/:id',
  summary: 'One seat.',
  tags: ['seats'],
  security: 'public',
  params: seatParamsSchema,
  responses: { 200: json('The seat.', seatResponseSchema), ...NO_SEAT, ...INTERNAL },
});

export const lockSeat = defineRoute({
  method: 'post',
  path: '/seats/:id/lock',
  summary: 'Lock a seat for this user until the lock TTL passes.',
  tags: ['seats'],
  security: 'caller',
  params: seatParamsSchema,
  body: seatRequestBodySchema,
  responses: {
    200: json('Locked (or already locked by this user: same lock).', lockResponseSchema),
    409: problemResponse(
      'SEAT_LOCKED, SEAT_BOOKED, TOO_MANY_LOCKS (the user holds the most locks) or TOO_MANY_CLIENT_LOCKS (so do the guest sessions of its address).',
    ),
    ...ACTION_PROBLEMS,
  },
});

export const confirmSeat = defineRoute({
  method: 'post',
  path: '/seats/:id/confirm',
  summary: 'Book a seat this user holds the lock on.',
  tags: ['seats'],
  security: 'caller',
  params: seatParamsSchema,
  body: seatRequestBodySchema,
  responses: {
    200: json('Booked (or already booked by this user).', actionResponseSchema),
    409: problemResponse('NOT_LOCKED, LOCK_NOT_HELD, LOCK_EXPIRED or SEAT_BOOKED.'),
    ...ACTION_PROBLEMS,
  },
});

export const releaseSeat = defineRoute({
  method: 'post',
  path: '/seats/:id/release',
  summary: 'Give back a lock this user holds.',
  tags: ['seats'],
  security: 'caller',
  params: seatParamsSchema,
  body: seatRequestBodySchema,
  responses: {
    200: json('Released: the seat is available again.', actionResponseSchema),
    409: problemResponse('NOT_LOCKED, LOCK_NOT_HELD, LOCK_EXPIRED or SEAT_BOOKED.'),
    ...ACTION_PROBLEMS,
  },
});

/**
 * The seat API. Each handler gets its input validated by its declaration, calls the service, and
 * returns what it answers; errors (400, 404, 409, 429) are thrown or passed on and answered by the
 * error handler. Register `/seats/events` and `/seats/summary` first: `/seats/:id` would take them.
 *
 * @example
 * ```ts
 * seatRoutes(api, service, seatActionRateLimit(600).middleware);
 * ```
 */
export function seatRoutes(
  api: ApiRouter,
  service: SeatService | ServiceFor<SeatService>,
  /** Runs before lock, confirm and release (the rate limit); none by default. */
  actionLimit?: RequestHandler,
  /** `/events/:eventId` for an event's routes (see `perEvent`); none for the default event's. */
  prefixed = false,
): void {
  const serviceFor: ServiceFor<SeatService> =
    typeof service === 'function' ? service : () => service;
  const at = <D extends RouteDeclaration>(route: D): D => (prefixed ? perEvent(route) : route);
  if (!prefixed) {
    // Before any handler or limiter of a seat route, so every such log line names the seat.
    api.param('id', (_req, res, next, id: string) => {
      note(res, { seatId: id.slice(0, 40) });
      next();
    });
  }
  const before = actionLimit ? [actionLimit] : [];

  // One page of seats: `?state=`, `?limit=` (default 1000) and the cursor `?after=<seat id>`.
  api.route(at(listSeats), async ({ query }, _res, req) => (await serviceFor(req)).list(query), {
    lean: true,
  });
  api.route(
    at(getSeat),
    async ({ params }, _res, req) => ({ seat: await (await serviceFor(req)).get(params.id) }),
    { lean: true },
  );
  api.route(
    at(lockSeat),
    async ({ params, caller }, res, req) => {
      note(res, { userId: caller.userId });
      return (await serviceFor(req)).lock(params.id, caller.userId, lockCapClient(req, res));
    },
    { before, lean: true },
  );
  api.route(
    at(confirmSeat),
    async ({ params, body, caller }, res, req) => {
      note(res, { userId: caller.userId });
      return (await serviceFor(req)).confirm(params.id, caller.userId, body.lockId);
    },
    { before, lean: true },
  );
  api.route(
    at(releaseSeat),
    async ({ params, body, caller }, res, req) => {
      note(res, { userId: caller.userId });
      return (await serviceFor(req)).release(params.id, caller.userId, body.lockId);
    },
    { before, lean: true },
  );
}
