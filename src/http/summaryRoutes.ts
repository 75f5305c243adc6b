import type { SeatService } from '../SeatService';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { perEvent } from './perEvent';
import type { ServiceFor } from './ServiceFor';
import { INTERNAL, json } from './responses';
import { seatSummarySchema } from './schemas';
import { seatStateRuns, seatStates } from './seatStateRuns';

export const seatSummary = defineRoute({
  method: 'get',
  path: '/seats/summary',
  summary: 'How many seats are in each state (kept as transitions happen: O(1)).',
  tags: ['seats'],
  security: 'public',
  responses: { 200: json('The counts.', seatSummarySchema), ...INTERNAL },
});

/**
 * `GET /seats/summary`: `{total, available, locked, booked}` from the store's counters, so the
 * seat map can show a venue too big to list; and `GET /seats/states`, every seat's state as runs
 * of indexes (see `seatStateRuns`). Register them before `/seats/:id`.
 *
 * @example
 * ```ts
 * summaryRoutes(api, service); // GET /seats/summary → {"total":100,"available":97,"locked":2,"booked":1}
 * ```
 */
export function summaryRoutes(
  api: ApiRouter,
  service: SeatService | ServiceFor<SeatService>,
  /** Under `/events/:eventId` for an event's summary; none for the default event's. */
  prefixed = false,
): void {
  const serviceFor: ServiceFor<SeatService> =
    typeof service === 'function' ? service : () => service;
  api.route(prefixed ? perEvent(seatSummary) : seatSummary, async (_input, _res, req) =>
    (await serviceFor(req)).summary(),
  );
  api.route(prefixed ? perEvent(seatStates) : seatStates, async (_input, res, req) => {
    res.set('Cache-Control', 'no-store');
    return seatStateRuns(await serviceFor(req));
  });
}
