import type { z } from 'zod';
import type { ApiResponse, ResponseHeader } from './defineRoute';
import { problemSchema } from './schemas';

/**
 * A JSON response of a route declaration.
 *
 * @example
 * ```ts
 * responses: { 200: json('The seat.', seatResponseSchema) }
 * ```
 */
export function json<S extends z.ZodType>(
  description: string,
  schema: S,
): ApiResponse & { contentType: 'application/json'; schema: S } {
  return { description, contentType: 'application/json', schema };
}

/** An RFC 9457 problem response; `description` starts with the codes it may carry. */
export function problemResponse(
  description: string,
  headers?: Record<string, ResponseHeader>,
): ApiResponse {
  return { description, contentType: 'application/problem+json', schema: problemSchema, headers };
}

/**
 * Every route may fail on our side, or find the seat database down, too slow or too busy (503,
 * with `Retry-After`; `outcome` says whether the request may have been applied).
 */
export const INTERNAL = {
  500: problemResponse('INTERNAL_ERROR: something failed on our side.'),
  503: problemResponse(
    'STORE_UNAVAILABLE: the seat database is down, too slow or too busy; `outcome` says whether the request may have been applied.',
    { 'Retry-After': { description: 'Seconds to wait before trying again.', type: 'integer' } },
  ),
};

/** Routes naming a seat the venue does not have. */
export const NO_SEAT = { 404: problemResponse('SEAT_NOT_FOUND: the venue has no such seat.') };
