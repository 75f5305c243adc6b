import { z } from 'zod';
import { HttpError } from './HttpError';

/** Who is asking: any non-empty string of at most 128 characters. */
export const userIdSchema = z
  .string({ error: 'userId must be a string.' })
  .min(1, { error: 'userId must not be empty.' })
  .max(128, { error: 'userId must be at most 128 characters long.' });

/**
 * The body of lock, confirm and release. `lockId` is optional everywhere; lock ignores it (the
 * server makes the lock's id) but, like the others, refuses one that is not a string.
 */
export const seatRequestBodySchema = z.object(
  {
    userId: userIdSchema,
    lockId: z.string({ error: 'lockId must be a string when it is sent.' }).optional(),
  },
  { error: 'The request body must be a JSON object such as {"userId": "alice"}.' },
);

/**
 * Validates `input` against `schema`, or throws a 400 `INVALID_REQUEST` whose detail names the
 * first problem found. Unknown keys (`__proto__` included) are dropped, never copied.
 *
 * @example
 * ```ts
 * const { userId } = parse(seatRequestBodySchema, req.body);
 * ```
 */
export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? undefined);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const missing =
    issue.code === 'invalid_type' &&
    issue.path.length === 1 &&
    input !== null &&
    typeof input === 'object' &&
    !(String(issue.path[0]) in input);
  const detail = missing ? `${String(issue.path[0])} is required.` : issue.message;
  throw new HttpError(400, 'INVALID_REQUEST', detail);
}
