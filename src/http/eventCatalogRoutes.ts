import type { EventService } from '../boxOffice/EventService';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import {
  createEventBodySchema,
  eventDetailsResponseSchema,
  eventListQuerySchema,
  eventListResponseSchema,
  eventParamsSchema,
  eventResponseSchema,
  parseCreateEvent,
} from './eventSchemas';
import { INTERNAL, json, problemResponse } from './responses';

const NO_EVENT = { 404: problemResponse('EVENT_NOT_FOUND: there is no such event.') };

export const createEvent = defineRoute({
  method: 'post',
  path: '/events',
  summary:
    'Create an event (API key): a name, an optional sales window and lock TTL, and a layout (grid shorthand or sections).',
  tags: ['events'],
  security: 'backend',
  body: createEventBodySchema,
  parseBody: parseCreateEvent,
  responses: {
    201: json('Created; `Location` names it.', eventResponseSchema),
    400: problemResponse(
      'INVALID_REQUEST: the detail starts with the path of the offending field.',
    ),
    409: problemResponse('EVENT_EXISTS: an event with this id exists.'),
    413: problemResponse('PAYLOAD_TOO_LARGE: the body is over 2 MB.'),
    ...INTERNAL,
  },
});

export const listEvents = defineRoute({
  method: 'get',
  path: '/events',
  summary: 'One page of events in id order, all or those in one sales state.',
  tags: ['events'],
  security: 'public',
  query: eventListQuerySchema,
  responses: {
    200: json('The page, and the cursor to the next one.', eventListResponseSchema),
    400: problemResponse('INVALID_REQUEST: state, limit or after is not a value described.'),
    ...INTERNAL,
  },
});

export const getEvent = defineRoute({
  method: 'get',
  path: '/events/:eventId',
  summary: 'An event: sales state, seat counts by state and by category, and its layout.',
  tags: ['events'],
  security: 'public',
  params: eventParamsSchema,
  responses: { 200: json('The event.', eventDetailsResponseSchema), ...NO_EVENT, ...INTERNAL },
});

const ADMIN_ACTIONS = {
  open: ['OPEN', 'Open sales now (API key); a closed event reopens until closed by hand.'],
  close: ['CLOSE', 'Close sales now (API key); locks taken before may still be confirmed.'],
  cancel: [
    'CANCEL',
    'Cancel the event (API key): no more locks or bookings; bookings stay readable.',
  ],
} as const;

/** `POST /events/:eventId/open|close|cancel`. */
function adminAction(action: keyof typeof ADMIN_ACTIONS) {
  return defineRoute({
    method: 'post',
    path: `/events/:eventId/${action}`,
    summary: ADMIN_ACTIONS[action][1],
    tags: ['events'],
    security: 'backend',
    params: eventParamsSchema,
    responses: {
      200: json(
        'The event after the change (or unchanged when it already was so).',
        eventResponseSchema,
      ),
      ...NO_EVENT,
      409: problemResponse('EVENT_CANCELLED: a cancelled event cannot be opened or closed.'),
      ...INTERNAL,
    },
  });
}

/**
 * The events themselves: `POST /events` (API key), `GET /events` (a page, by sales state),
 * `GET /events/:eventId` (details, counts and layout), and the admin's
 * `POST /events/:eventId/open|close|cancel` (API key). Each event's seats are served by the seat
 * routes registered again under `/events/:eventId` (see `perEvent`).
 *
 * @example
 * ```ts
 * eventCatalogRoutes(new ApiRouter({ backend: auth.backend }), events);
 * ```
 */
export function eventCatalogRoutes(api: ApiRouter, events: EventService): void {
  api.route(createEvent, async ({ body }, res) => {
    const event = await events.create(body);
    res.status(201).location(`/events/${event.id}`).json({ event });
  });
  api.route(listEvents, ({ query }) => events.list(query));
  api.route(getEvent, async ({ params }) => ({ event: await events.details(params.eventId) }));
  for (const action of ['open', 'close', 'cancel'] as const) {
    api.route(adminAction(action), async ({ params }) => ({
      event: await events.admin(params.eventId, ADMIN_ACTIONS[action][0]),
    }));
  }
}
