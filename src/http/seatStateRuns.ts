import { z } from 'zod';
import type { SeatService } from '../SeatService';
import type { SeatStateValue } from '../../machines/seatTypes';
import { defineRoute } from './defineRoute';
import { INTERNAL, json } from './responses';

/** Seats read from the store per page while the runs are built. */
const PAGE = 10_000;

const runs = z.array(z.number().int().min(0)).meta({
  description:
    'Pairs of numbers, flat: the index of a run’s first seat (in layout order, from 0), then how many seats the run has.',
  example: [0, 3, 41, 1],
});

export const seatStatesSchema = z
  .object({
    size: z.number().int().min(0).meta({ description: 'How many seats the venue has.' }),
    locked: runs,
    booked: runs,
  })
  .strict()
  .meta({
    id: 'SeatStates',
    description:
      'Every seat’s state at once: the runs of locked and of booked seats; every other seat is available.',
  });

export type SeatStateRuns = z.infer<typeof seatStatesSchema>;

export const seatStates = defineRoute({
  method: 'get',
  path: '/seats/states',
  summary:
    'Every seat’s state at once, compactly: runs of seat indexes that are locked or booked (the rest are available). What a map of the whole venue loads.',
  tags: ['seats'],
  security: 'public',
  responses: { 200: json('The runs.', seatStatesSchema), ...INTERNAL },
});

/**
 * The runs of seats in `state`, read from the store a page at a time (the store lists by state
 * without walking the others, so a fresh venue costs nothing however big).
 */
async function runsOf(service: SeatService, state: SeatStateValue): Promise<number[]> {
  const { store } = service;
  const out: number[] = [];
  let after: string | undefined;
  do {
    const page = await store.list({ state, after, limit: PAGE });
    for (const seat of page.seats) {
      const index = store.venue.indexOf(seat.id)!;
      const last = out.length - 2;
      if (last >= 0 && out[last] + out[last + 1] === index) out[last + 1]++;
      else out.push(index, 1);
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  return out;
}

/**
 * The answer of `GET /seats/states` (and `/events/:eventId/seats/states`), registered with the
 * summary by `summaryRoutes`: the seat map's whole-venue read, one request instead of a page of
 * seat objects per 10,000 seats taken, and indexes instead of ids, so a client that knows the
 * layout (`GET /events/:eventId`) needs no parsing. Locked and booked are read one after the
 * other, so a seat may move between them meanwhile: a client applies the event stream it opened
 * before reading, as it would after any read.
 *
 * @example
 * ```ts
 * await seatStateRuns(service); // {"size":100,"locked":[4,2],"booked":[0,1]}
 * ```
 */
export async function seatStateRuns(service: SeatService): Promise<SeatStateRuns> {
  return {
    size: service.store.venue.size,
    locked: await runsOf(service, 'locked'),
    booked: await runsOf(service, 'booked'),
  };
}
