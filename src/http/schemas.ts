import { z } from 'zod';
import { HttpError } from './HttpError';

// One schema source: these schemas validate requests (`parse` below), describe responses, and
// are turned into the OpenAPI document (`openApiDocument.ts`). `.meta({ id })` names a component.

/**
 * Control characters (U+0000–U+001F, U+007F–U+009F) and lone UTF-16 surrogates: never in a user
 * id. PostgreSQL cannot store `\u0000` or half a surrogate pair in `text`/`jsonb` (it threw, a
 * 500), and a line break in an id could forge a log line.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/**
 * Who is asking: 1–128 characters, none of them a control character or half a surrogate pair.
 * The same rule holds for every source of a user id (a body, `?userId=`, a token's subject), so
 * every store can keep any id it is given.
 */
export const userIdSchema = z
  .string({ error: 'userId must be a string.' })
  .min(1, { error: 'userId must not be empty.' })
  .max(128, { error: 'userId must be at most 128 characters long.' })
  .refine((id) => !UNPRINTABLE.test(id), {
    error: 'userId must not contain control characters or unpaired UTF-16 surrogates.',
  })
  .meta({
    description: 'Who is asking (1–128 characters, no control characters).',
    example: 'alice',
  });

/**
 * The body of lock, confirm and release. `lockId` is optional everywhere; lock ignores it (the
 * server makes the lock's id) but, like the others, refuses one that is not a string.
 */
export const seatRequestBodySchema = z
  .object(
    {
      userId: userIdSchema.optional().meta({
        description:
          'Who is asking. With a session or a box office token: may be left out, and must be its user when sent. With an API key: required, the user the backend acts for.',
        example: 'alice',
      }),
      lockId: z.string({ error: 'lockId must be a string when it is sent.' }).optional().meta({
        description:
          'The lockId from the lock response; checked by confirm and release when sent, ignored by lock.',
      }),
    },
    { error: 'The request body must be a JSON object such as {"lockId": "…"} or {}.' },
  )
  .meta({ id: 'SeatRequest' });

/** The `:id` path parameter of the seat routes (any string: unknown ids are a 404, not a 400). */
export const seatParamsSchema = z.object({
  id: z.string().meta({ description: 'Seat id: row letters and seat number.', example: 'B4' }),
});

export const seatViewSchema = z
  .object({
    id: z.string().meta({ example: 'B4' }),
    state: z.enum(['available', 'locked', 'booked']),
    section: z.string().optional().meta({ description: 'The section (`MAIN` for a grid).' }),
    row: z.string().optional().meta({ example: 'B' }),
    number: z.number().int().min(1).optional().meta({ description: 'Seat number in the row.' }),
    category: z.string().optional().meta({ description: 'Price category.', example: 'standard' }),
    expiresAt: z.iso
      .datetime()
      .optional()
      .meta({ description: 'When the lock lapses; only while locked.' }),
  })
  .strict()
  .meta({ id: 'Seat', description: 'A seat as clients see it: never who holds it.' });

export const seatListResponseSchema = z
  .object({
    seats: z.array(seatViewSchema),
    next: z.string().nullable().meta({
      description: 'Pass it as `after` for the next page; null when no seat follows.',
      example: 'B10',
    }),
  })
  .strict()
  .meta({ id: 'SeatList' });

export const seatResponseSchema = z
  .object({ seat: seatViewSchema })
  .strict()
  .meta({ id: 'SeatEnvelope' });

export const lockResponseSchema = z
  .object({
    message: z.string(),
    seat: seatViewSchema,
    lockId: z.string().meta({ description: 'Send it back with confirm or release.' }),
    expiresAt: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'LockResponse' });

export const actionResponseSchema = z
  .object({ message: z.string(), seat: seatViewSchema })
  .strict()
  .meta({ id: 'ActionResponse' });

/** RFC 9457 problem details, with our machine-readable `code` (see `problem.ts`). */
export const problemSchema = z
  .object({
    type: z.string().meta({ example: '/problems/seat-locked' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'A sentence for a person: what happened, what to do.' }),
    code: z
      .string()
      .regex(/^[A-Z_]+$/)
      .meta({ example: 'SEAT_LOCKED' }),
    seats: z
      .array(z.object({ id: z.string(), code: z.string() }))
      .optional()
      .meta({
        description:
          'Only on 409 SEATS_UNAVAILABLE: every seat that could not be held and why (the seat machine’s code); nothing was held.',
      }),
    outcome: z.enum(['not-applied', 'unknown']).optional().meta({
      description:
        'Only on 503 STORE_UNAVAILABLE: `not-applied` when nothing was changed, `unknown` when the request may have been applied.',
    }),
  })
  .strict()
  .meta({ id: 'Problem' });

export const healthSchema = z
  .object({ status: z.literal('ok') })
  .strict()
  .meta({ id: 'Health' });

export const readinessSchema = z
  .object({
    ready: z.boolean(),
    status: z.enum(['starting', 'ready', 'draining', 'store-unreachable']),
  })
  .strict()
  .meta({ id: 'Readiness' });

/** Any JSON object (the seat machine's definition, the OpenAPI document itself). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

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
    .optional()
    .meta({ description: 'Only seats in this state.' }),
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
    .default(DEFAULT_PAGE_SIZE)
    .meta({
      description: `Most seats in the page: 1 to ${MAX_PAGE_SIZE}, ${DEFAULT_PAGE_SIZE} when left out.`,
      example: '100',
    }),
  after: z
    .string({ error: "after must be a single seat id, as the previous page's next gives it." })
    .min(1, { error: 'after must not be empty; leave it out to start at the first seat.' })
    .max(64, { error: 'after must be a seat id (at most 64 characters).' })
    .optional()
    .meta({
      description:
        "Cursor: start after this seat (the previous page's `next`). A seat the venue does not have is 404 SEAT_NOT_FOUND.",
      example: 'B10',
    }),
});

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

export const seatSummarySchema = z
  .object({
    total: z.number().int().min(0),
    available: z.number().int().min(0),
    locked: z.number().int().min(0),
    booked: z.number().int().min(0),
  })
  .strict()
  .meta({ id: 'SeatSummary', description: 'How many seats are in each state, from counters.' });

export const pageConfigSchema = z
  .object({
    rows: z.number().int().min(1),
    seatsPerRow: z.number().int().min(1),
    lockTtlMs: z.number().int().min(1),
    inspectorUrl: z.string().nullable(),
  })
  .strict()
  .meta({
    id: 'PageConfig',
    description: "What the seat-map page needs: the venue's shape, the lock TTL, the inspector.",
  });

// The types the service answers with, inferred from the schemas above: never restated by hand.
export type SeatView = z.infer<typeof seatViewSchema>;
export type SeatList = z.infer<typeof seatListResponseSchema>;
export type LockResponse = z.infer<typeof lockResponseSchema>;
export type SeatResponse = z.infer<typeof actionResponseSchema>;
export type SeatSummary = z.infer<typeof seatSummarySchema>;
export type PageConfig = z.infer<typeof pageConfigSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type SeatEnvelope = z.infer<typeof seatResponseSchema>;
