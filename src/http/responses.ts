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

/** Every route may fail on our side. */
export const INTERNAL = { 500: problemResponse('INTERNAL_ERROR: something failed on our side.') };

/** Routes naming a seat the venue does not have. */
export const NO_SEAT = { 404: problemResponse('SEAT_NOT_FOUND: the venue has no such seat.') };
