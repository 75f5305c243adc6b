import { z } from 'zod';
import {
  actionResponseSchema,
  healthSchema,
  jsonObjectSchema,
  listQuerySchema,
  seatRequestBodySchema,
  lockResponseSchema,
  problemSchema,
  readinessSchema,
  seatListResponseSchema,
  seatParamsSchema,
  seatResponseSchema,
  seatSummarySchema,
  pageConfigSchema,
} from './schemas';
import {
  createEventBodySchema,
  eventDetailsResponseSchema,
  eventListQuerySchema,
  eventListResponseSchema,
  eventParamsSchema,
  eventResponseSchema,
} from './eventSchemas';

export type ContentType =
  | 'application/json'
  | 'application/problem+json'
  | 'text/plain'
  | 'text/html'
  | 'text/event-stream';

export interface ApiResponse {
  description: string;
  contentType: ContentType;
  schema: z.ZodType;
  /** Response headers worth telling clients about, by name → description. */
  headers?: Record<string, string>;
}

export interface ApiRoute {
  method: 'get' | 'post';
  /** Express-style path (`/seats/:id`), exactly as the router registers it. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  /** Query parameters, as the route validates them. */
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ApiResponse>;
}

const json = (description: string, schema: z.ZodType): ApiResponse => ({
  description,
  contentType: 'application/json',
  schema,
});

const problem = (description: string, headers?: Record<string, string>): ApiResponse => ({
  description,
  contentType: 'application/problem+json',
  schema: problemSchema,
  headers,
});

const INTERNAL = { 500: problem('INTERNAL_ERROR: something failed on our side.') };
const NO_SEAT = { 404: problem('SEAT_NOT_FOUND: the venue has no such seat.') };

/** The problems every seat action (lock, confirm, release) may answer with. */
const ACTION_PROBLEMS = {
  400: problem('INVALID_REQUEST: the body is not the JSON object described.'),
  ...NO_SEAT,
  413: problem('PAYLOAD_TOO_LARGE: the body is over 16 kB.'),
  429: problem('RATE_LIMITED: too many seat actions from this client; wait and retry.', {
    'Retry-After': 'Seconds to wait before the next seat action.',
  }),
  ...INTERNAL,
};

/** The routes of the default event's seats and of the service itself. */
const seatAndEventRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/seats',
    summary: 'One page of seats, row by row: all of them, or those in one state.',
    query: listQuerySchema,
    responses: {
      200: json('The page, and the cursor to the next one.', seatListResponseSchema),
      400: problem('INVALID_REQUEST: state, limit or after is not a value described.'),
      ...NO_SEAT,
      ...INTERNAL,
    },
  },
  {
    method: 'get',
    path: '/seats/summary',
    summary: 'How many seats are in each state (kept as transitions happen: O(1)).',
    responses: { 200: json('The counts.', seatSummarySchema), ...INTERNAL },
  },
  {
    method: 'get',
    path: '/seats/events',
    summary:
      'Server-sent events: every seat transition as {"id","from","to","reason","at"} (reason: locked, confirmed, released or expired, as the seat machine decided), expiries included. Resume with Last-Event-ID; a `resync` event asks the client to reload the seats.',
    responses: {
      200: {
        description: 'An endless event stream with heartbeat comments.',
        contentType: 'text/event-stream',
        schema: z.string(),
      },
    },
  },
  {
    method: 'get',
    path: '/config.json',
    summary:
      "What the seat-map page at / needs: the venue's shape, the lock TTL, the inspector URL.",
    responses: { 200: json('The page configuration.', pageConfigSchema) },
  },
  {
    method: 'get',
    path: '/seats/:id',
    summary: 'One seat.',
    params: seatParamsSchema,
    responses: { 200: json('The seat.', seatResponseSchema), ...NO_SEAT, ...INTERNAL },
  },
  {
    method: 'post',
    path: '/seats/:id/lock',
    summary: 'Lock a seat for this user until the lock TTL passes.',
    params: seatParamsSchema,
    body: seatRequestBodySchema,
    responses: {
      200: json('Locked (or already locked by this user: same lock).', lockResponseSchema),
      409: problem('SEAT_LOCKED, SEAT_BOOKED, or TOO_MANY_LOCKS (the user holds the most locks).'),
      ...ACTION_PROBLEMS,
    },
  },
  {
    method: 'post',
    path: '/seats/:id/confirm',
    summary: 'Book a seat this user holds the lock on.',
    params: seatParamsSchema,
    body: seatRequestBodySchema,
    responses: {
      200: json('Booked (or already booked by this user).', actionResponseSchema),
      409: problem('NOT_LOCKED, LOCK_NOT_HELD, LOCK_EXPIRED or SEAT_BOOKED.'),
      ...ACTION_PROBLEMS,
    },
  },
  {
    method: 'post',
    path: '/seats/:id/release',
    summary: 'Give back a lock this user holds.',
    params: seatParamsSchema,
    body: seatRequestBodySchema,
    responses: {
      200: json('Released: the seat is available again.', actionResponseSchema),
      409: problem('NOT_LOCKED, LOCK_NOT_HELD, LOCK_EXPIRED or SEAT_BOOKED.'),
      ...ACTION_PROBLEMS,
    },
  },
  {
    method: 'get',
    path: '/machine',
    summary: "The seat machine's definition (xstate JSON), for visualisers.",
    responses: { 200: json('The machine as JSON.', jsonObjectSchema), ...INTERNAL },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document.',
    responses: { 200: json('The OpenAPI document.', jsonObjectSchema) },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'This API as a readable HTML page.',
    responses: {
      200: { description: 'The page.', contentType: 'text/html', schema: z.string() },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format).',
    responses: {
      200: { description: 'The metrics.', contentType: 'text/plain', schema: z.string() },
      ...INTERNAL,
    },
  },
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is up.',
    responses: { 200: json('Up.', healthSchema) },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the service takes traffic (not starting, not draining, store reachable).',
    responses: {
      200: json('Ready.', readinessSchema),
      503: json('Not ready; `status` says why.', readinessSchema),
    },
  },
];

const NO_EVENT = problem('EVENT_NOT_FOUND: there is no such event.');
const API_KEY_ONLY = {
  401: problem('UNAUTHENTICATED: no API key, or one this service does not know.', {
    'WWW-Authenticate': 'Bearer',
  }),
};
const SALES_PROBLEMS =
  'SALES_NOT_OPEN (before salesOpenAt), SALES_CLOSED (after the close, or the event is cancelled)';

/**
 * Every seat route again under `/events/:eventId`, for that event's seats (the unprefixed ones
 * serve the default event): the same schemas, plus the event's 404 and the sales window's 409s.
 */
function perEvent(route: ApiRoute): ApiRoute {
  const params = z.object({ ...eventParamsSchema.shape, ...(route.params?.shape ?? {}) });
  const responses = { ...route.responses };
  const seat404 = responses[404]?.description;
  responses[404] = problem(seat404 ? `${seat404} Or EVENT_NOT_FOUND.` : NO_EVENT.description);
  if (route.method === 'post' && responses[409]) {
    responses[409] = problem(`${responses[409].description} ${SALES_PROBLEMS}.`);
  }
  return { ...route, path: `/events/:eventId${route.path}`, params, responses };
}

const eventCatalog: ApiRoute[] = [
  {
    method: 'post',
    path: '/events',
    summary:
      'Create an event (API key): a name, an optional sales window and lock TTL, and a layout (grid shorthand or sections).',
    body: createEventBodySchema,
    responses: {
      201: json('Created; `Location` names it.', eventResponseSchema),
      400: problem('INVALID_REQUEST: the detail starts with the path of the offending field.'),
      ...API_KEY_ONLY,
      409: problem('EVENT_EXISTS: an event with this id exists.'),
      413: problem('PAYLOAD_TOO_LARGE: the body is over 2 MB.'),
      ...INTERNAL,
    },
  },
  {
    method: 'get',
    path: '/events',
    summary: 'One page of events in id order, all or those in one sales state.',
    query: eventListQuerySchema,
    responses: {
      200: json('The page, and the cursor to the next one.', eventListResponseSchema),
      400: problem('INVALID_REQUEST: state, limit or after is not a value described.'),
      ...INTERNAL,
    },
  },
  {
    method: 'get',
    path: '/events/:eventId',
    summary: 'An event: sales state, seat counts by state and by category, and its layout.',
    params: eventParamsSchema,
    responses: {
      200: json('The event.', eventDetailsResponseSchema),
      404: NO_EVENT,
      ...INTERNAL,
    },
  },
  ...(['open', 'close', 'cancel'] as const).map((action): ApiRoute => ({
    method: 'post',
    path: `/events/:eventId/${action}`,
    summary: {
      open: 'Open sales now (API key); a closed event reopens until closed by hand.',
      close: 'Close sales now (API key); locks taken before may still be confirmed.',
      cancel: 'Cancel the event (API key): no more locks or bookings; bookings stay readable.',
    }[action],
    params: eventParamsSchema,
    responses: {
      200: json(
        'The event after the change (or unchanged when it already was so).',
        eventResponseSchema,
      ),
      ...API_KEY_ONLY,
      404: NO_EVENT,
      409: problem('EVENT_CANCELLED: a cancelled event cannot be opened or closed.'),
      ...INTERNAL,
    },
  })),
];

/**
 * Every route the service answers, with its request and response schemas: the table the OpenAPI
 * document is generated from, and that tests check real responses against. A route that is not
 * here is not documented, and the route-coverage test fails.
 */
export const apiRoutes: ApiRoute[] = [
  ...seatAndEventRoutes,
  ...eventCatalog,
  ...seatAndEventRoutes.filter((route) => route.path.startsWith('/seats')).map(perEvent),
];
