import { z } from 'zod';
import type { EventService } from '../boxOffice/EventService';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { INTERNAL, json } from './responses';
import { seatViewSchema, userIdSchema } from './schemas';

const mySeatSchema = seatViewSchema
  .extend({
    eventId: z.string().meta({ description: 'The event (`default`: the routes without prefix).' }),
    lockId: z.string().optional().meta({
      description: 'Only on a seat you hold: send it back with confirm or release.',
    }),
  })
  .strict()
  .meta({ id: 'MySeat' });

export const mySeatsSchema = z
  .object({
    held: z.array(mySeatSchema).meta({ description: 'Seats you hold locked, with lockId.' }),
    booked: z.array(mySeatSchema).meta({ description: 'Seats you booked.' }),
  })
  .strict()
  .meta({ id: 'MySeats' });

export const getMySeats = defineRoute({
  method: 'get',
  path: '/me/seats',
  summary:
    'The seats you hold (with lockId and expiresAt) and have booked, in every event: pick up after a reload.',
  tags: ['seats'],
  security: 'caller',
  query: z.object({
    userId: userIdSchema.optional().meta({
      description: 'With an API key: the user to answer for (required then).',
    }),
  }),
  responses: { 200: json('Your seats.', mySeatsSchema), ...INTERNAL },
});

/**
 * `GET /me/seats`: the caller's own seats across every event, and nobody else's (the caller is
 * the credential's user, or the user an API key names with `?userId=`).
 *
 * @example
 * ```ts
 * meRoutes(api, eventService);
 * ```
 */
export function meRoutes(api: ApiRouter, events: EventService): void {
  api.route(getMySeats, ({ caller }) => events.seatsOfUser(caller.userId));
}
