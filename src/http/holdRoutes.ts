import type { RequestHandler } from 'express';
import type { HoldService } from '../boxOffice/HoldService';
import { lockCapClient } from './lockCapClient';
import type { ApiRouter } from './ApiRouter';
import { defineRoute, type RouteDeclaration } from './defineRoute';
import {
  addHoldSeatsBodySchema,
  bookingResponseSchema,
  createHoldBodySchema,
  holdActionBodySchema,
  holdParamsSchema,
  holdQuerySchema,
  holdResponseSchema,
  holdSeatParamsSchema,
} from './holdSchemas';
import { perEvent } from './perEvent';
import { note } from './requestLogger';
import { INTERNAL, json, problemResponse } from './responses';
import type { ServiceFor } from './ServiceFor';

const BAD_BODY = {
  400: problemResponse(
    'INVALID_REQUEST: the body is not the JSON object described; NO_SEATS: a seat named twice.',
  ),
};
const NO_HOLD = {
  404: problemResponse(
    'HOLD_NOT_FOUND: no such hold of yours (another user’s hold is not found either).',
  ),
};

const KEY_REUSED = {
  422: problemResponse(
    'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used for another request (method, path or body).',
  ),
};

export const createHold = defineRoute({
  method: 'post',
  path: '/holds',
  summary: 'Hold several seats as one unit, all or nothing: named seats, or best available.',
  description:
    'With `{"seats": [...]}` every seat is held or none is. With `{"count": N}` (and optionally `category` or `section`) the service picks N adjacent seats in one row, front rows first, centred, never stranding a single seat where another choice exists. The hold lasts the event’s lock TTL. Send an `Idempotency-Key` header to retry safely.',
  tags: ['holds'],
  security: 'caller',
  body: createHoldBodySchema,
  responses: {
    201: json('Held; `Location` names the hold.', holdResponseSchema),
    ...BAD_BODY,
    404: problemResponse('SEAT_NOT_FOUND: a seat named is not in the venue.'),
    409: problemResponse(
      'SEATS_UNAVAILABLE (nothing held; `seats` names each refused seat and its code), NO_SEATS_TOGETHER (best available found no block), TOO_MANY_SEATS (over MAX_SEATS_PER_HOLD) or TOO_MANY_LOCKS (the user’s lock cap counts held seats) or IDEMPOTENCY_IN_PROGRESS (with Retry-After).',
    ),
    ...KEY_REUSED,
    ...INTERNAL,
  },
});

export const getHold = defineRoute({
  method: 'get',
  path: '/holds/:holdId',
  summary: 'One of your holds.',
  tags: ['holds'],
  security: 'caller',
  params: holdParamsSchema,
  query: holdQuerySchema,
  responses: { 200: json('The hold.', holdResponseSchema), ...NO_HOLD, ...INTERNAL },
});

const HOLD_PROBLEMS = 'HOLD_EXPIRED (its seats are free again), HOLD_CONFIRMED or HOLD_RELEASED';

export const addHoldSeats = defineRoute({
  method: 'post',
  path: '/holds/:holdId/seats',
  summary: 'Add seats to an open hold, all or nothing, with the same deadline.',
  tags: ['holds'],
  security: 'caller',
  params: holdParamsSchema,
  body: addHoldSeatsBodySchema,
  responses: {
    200: json('The hold with the seats added.', holdResponseSchema),
    ...BAD_BODY,
    404: problemResponse('HOLD_NOT_FOUND, or SEAT_NOT_FOUND: a seat named is not in the venue.'),
    409: problemResponse(
      `SEATS_UNAVAILABLE (with \`seats\`), TOO_MANY_SEATS, TOO_MANY_LOCKS, ${HOLD_PROBLEMS}.`,
    ),
    ...INTERNAL,
  },
});

export const removeHoldSeat = defineRoute({
  method: 'delete',
  path: '/holds/:holdId/seats/:seatId',
  summary: 'Give one seat of an open hold back (the last one releases the hold).',
  tags: ['holds'],
  security: 'caller',
  params: holdSeatParamsSchema,
  query: holdQuerySchema,
  responses: {
    200: json('The hold without the seat.', holdResponseSchema),
    404: problemResponse('HOLD_NOT_FOUND, or SEAT_NOT_IN_HOLD.'),
    409: problemResponse(`${HOLD_PROBLEMS}.`),
    ...INTERNAL,
  },
});

export const extendHold = defineRoute({
  method: 'post',
  path: '/holds/:holdId/extend',
  summary:
    'A new deadline one lock TTL from now, at most HOLD_MAX_EXTENSIONS times and never past HOLD_MAX_MS.',
  tags: ['holds'],
  security: 'caller',
  params: holdParamsSchema,
  body: holdActionBodySchema,
  responses: {
    200: json('Extended.', holdResponseSchema),
    ...BAD_BODY,
    ...NO_HOLD,
    409: problemResponse(`EXTENSION_LIMIT, ${HOLD_PROBLEMS}.`),
    ...INTERNAL,
  },
});

export const confirmHold = defineRoute({
  method: 'post',
  path: '/holds/:holdId/confirm',
  summary: 'Book every seat of the hold in one step; a retry gets the same booking.',
  description: 'Send an `Idempotency-Key` header to retry safely.',
  tags: ['holds'],
  security: 'caller',
  params: holdParamsSchema,
  body: holdActionBodySchema,
  responses: {
    200: json('Booked.', bookingResponseSchema),
    ...BAD_BODY,
    ...NO_HOLD,
    409: problemResponse(
      'HOLD_EXPIRED (its seats are free again), HOLD_RELEASED or IDEMPOTENCY_IN_PROGRESS (with Retry-After).',
    ),
    ...KEY_REUSED,
    ...INTERNAL,
  },
});

export const releaseHold = defineRoute({
  method: 'delete',
  path: '/holds/:holdId',
  summary: 'Give every seat of the hold back.',
  tags: ['holds'],
  security: 'caller',
  params: holdParamsSchema,
  query: holdQuerySchema,
  responses: {
    200: json('Released: its seats are available again.', holdResponseSchema),
    ...NO_HOLD,
    409: problemResponse(`${HOLD_PROBLEMS}.`),
    ...INTERNAL,
  },
});

/**
 * The hold API (issue 13), for the default event (no prefix) or per event (`/events/:eventId`).
 * Every route acts for the authenticated caller (`input.caller.userId`), never a body's word.
 *
 * @example
 * ```ts
 * holdRoutes(api, holdService);
 * holdRoutes(api, async (req) => (await events.seatsOf(req.params.eventId)).holds, true);
 * ```
 */
export function holdRoutes(
  api: ApiRouter,
  service: HoldService | ServiceFor<HoldService>,
  prefixed = false,
  /** Runs before creating and confirming a hold: `Idempotency-Key` (see `idempotency.ts`). */
  idempotent?: RequestHandler,
): void {
  const before = idempotent ? [idempotent] : [];
  const serviceFor: ServiceFor<HoldService> =
    typeof service === 'function' ? service : () => service;
  const at = <D extends RouteDeclaration>(route: D): D => (prefixed ? perEvent(route) : route);

  api.route(
    at(createHold),
    async ({ body, caller }, res, req) => {
      note(res, { userId: caller.userId });
      const holds = await serviceFor(req);
      const client = lockCapClient(req, res);
      const hold =
        'seats' in body
          ? await holds.create(caller.userId, body.seats, client)
          : await holds.createBest(caller.userId, body, client);
      res
        .status(201)
        .location(`${req.path.replace(/\/$/, '')}/${hold.id}`)
        .json({ hold });
    },
    { before },
  );
  api.route(at(getHold), async ({ params, caller }, _res, req) => ({
    hold: await (await serviceFor(req)).get(caller.userId, params.holdId),
  }));
  api.route(at(addHoldSeats), async ({ params, body, caller }, res, req) => ({
    hold: await (
      await serviceFor(req)
    ).addSeats(caller.userId, params.holdId, body.seats, lockCapClient(req, res)),
  }));
  api.route(at(removeHoldSeat), async ({ params, caller }, _res, req) => ({
    hold: await (await serviceFor(req)).removeSeat(caller.userId, params.holdId, params.seatId),
  }));
  api.route(at(extendHold), async ({ params, caller }, _res, req) => ({
    hold: await (await serviceFor(req)).extend(caller.userId, params.holdId),
  }));
  api.route(
    at(confirmHold),
    async ({ params, caller }, _res, req) => ({
      booking: await (await serviceFor(req)).confirm(caller.userId, params.holdId),
    }),
    { before },
  );
  api.route(at(releaseHold), async ({ params, caller }, _res, req) => ({
    hold: await (await serviceFor(req)).release(caller.userId, params.holdId),
  }));
}
