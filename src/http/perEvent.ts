import { z } from 'zod';
import type { RouteDeclaration } from './defineRoute';
import { eventParamsSchema } from './eventSchemas';
import { problemResponse } from './responses';

/** Where an event's own seat routes live. */
export const EVENT_PREFIX = '/events/:eventId';

const NO_EVENT = 'EVENT_NOT_FOUND: there is no such event.';
const SALES_PROBLEMS =
  'SALES_NOT_OPEN (before salesOpenAt), SALES_CLOSED (after the close, or the event is cancelled)';

/**
 * A seat route again under `/events/:eventId`, for that event's seats (the unprefixed ones serve
 * the default event): the same schemas, plus the event's 404 and the sales window's 409s.
 *
 * @example
 * ```ts
 * api.route(perEvent(lockSeat), handler); // POST /events/:eventId/seats/:id/lock
 * ```
 */
export function perEvent<D extends RouteDeclaration>(route: D): D {
  const params = z.object({ ...eventParamsSchema.shape, ...(route.params?.shape ?? {}) });
  const responses = { ...route.responses };
  const seat404 = responses[404]?.description;
  responses[404] = problemResponse(seat404 ? `${seat404} Or EVENT_NOT_FOUND.` : NO_EVENT);
  if (route.method === 'post' && responses[409]) {
    responses[409] = problemResponse(`${responses[409].description} ${SALES_PROBLEMS}.`);
  }
  return { ...route, path: `${EVENT_PREFIX}${route.path}`, params, responses };
}
