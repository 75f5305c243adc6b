import { z } from 'zod';
import { HttpError } from './HttpError';

/** Who is asking: any non-empty string of at most 128 characters. */
export const userIdSchema = z
  .string({ error: 'userId must be a string.' })
  .min(1, { error: 'userId must not be empty.' })
  .max(128, { error: 'userId must be at most 128 characters long.' });

export const lockBodySchema = z.object(
  { userId: userIdSchema },
  { error: 'The request body must be a JSON object such as {"userId": "alice"}.' },
);

export const holderBodySchema = z.object(
  {
    userId: userIdSchema,
    lockId: z.string({ error: 'lockId must be a string when it is sent.' }).optional(),
  },
  { error: 'The request body must be a JSON object such as {"userId": "alice", "lockId": "…"}.' },
);

/** Most seats one page of `GET /seats` holds; the default is {@link DEFAULT_PAGE_SIZE}. */
export const MAX_PAGE_SIZE = 10_000;
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * The query of `GET /seats`: `state` (one seat state), `limit` (1 to {@link MAX_PAGE_SIZE}) and
 * `after` (the cursor: a seat id, as the previous page's `next` gives it). Each is a single plain
 * value; a repeated parameter (`?limit=1&limit=2`) is refused, not guessed at. Other parameters
 * are ignored.
 */
export const listQuerySchema = z.object({
  state: z
    .enum(['available', 'locked', 'booked'], {
      error: 'state must be one of available, locked, booked.',
    })
    .optional(),
  limit: z
    .string({ error: `limit must be a single whole number from 1 to ${MAX_PAGE_SIZE}.` })
    .regex(/^[0-9]{1,6}$/, { error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.` })
        .max(MAX_PAGE_SIZE, { error: `limit must be at most ${MAX_PAGE_SIZE}.` }),
    )
    .default(DEFAULT_PAGE_SIZE),
  after: z
    .string({ error: "after must be a single seat id, as the previous page's next gives it." })
    .min(1, { error: 'after must not be empty; leave it out to start at the first seat.' })
    .max(64, { error: 'after must be a seat id (at most 64 characters).' })
    .optional(),
});

/**
 * Validates `input` against `schema`, or throws a 400 `INVALID_REQUEST` whose detail names the
 * first problem found. Unknown keys (`__proto__` included) are dropped, never copied.
 *
 * @example
 * ```ts
 * const { userId } = parse(lockBodySchema, req.body);
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
