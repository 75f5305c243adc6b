import { seatMachine } from '../../machines/seatMachine';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { INTERNAL, json } from './responses';
import { jsonObjectSchema } from './schemas';

export const machineJson = defineRoute({
  method: 'get',
  path: '/machine',
  summary: "The seat machine's definition (xstate JSON), for visualisers.",
  tags: ['operations'],
  security: 'public',
  responses: { 200: json('The machine as JSON.', jsonObjectSchema), ...INTERNAL },
});

/**
 * `GET /machine`: the seat machine as xstate JSON, for the Stately visualiser and the like.
 *
 * @example
 * ```ts
 * machineRoutes(api);
 * ```
 */
export function machineRoutes(api: ApiRouter): void {
  api.route(machineJson, (_input, res) => {
    res.json(seatMachine.toJSON());
  });
}
