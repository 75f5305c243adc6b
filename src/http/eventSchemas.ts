import { z } from 'zod';
import { layoutSchema } from '../layout/layoutSchema';
import { HttpError } from './HttpError';

/** Longest lock TTL an event may ask for (as `LOCK_TTL_MS`). */
const MAX_LOCK_TTL_MS = 86_400_000;

const instant = (name: string) =>
  z.iso
    .datetime({
      offset: true,
      error: `${name} must be an ISO 8601 date-time such as 2030-05-01T19:30:00Z.`,
    })
    .transform((value) => Date.parse(value));

/** An event id: a URL-safe slug. */
export const eventIdSchema = z
  .string({ error: 'id must be a string.' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
    error:
      'id must be a URL-safe slug: 1–64 lowercase letters, digits, - or _, starting with a letter or digit.',
  })
  .meta({ description: 'URL-safe slug; generated when left out.', example: 'hamlet-2030-05-01' });

/**
 * The body of `POST /events`. Unknown fields are refused (a typo such as `salesOpensAt` must not
 * silently leave an event on sale), and so is a sales window that closes before it opens.
 */
export const createEventBodySchema = z
  .strictObject(
    {
      id: eventIdSchema.optional(),
      name: z
        .string({ error: 'name must be a string.' })
        .min(1, { error: 'name must not be empty.' })
        .max(200, { error: 'name must be at most 200 characters.' })
        .meta({ example: 'Hamlet, opening night' }),
      startsAt: instant('startsAt')
        .optional()
        .meta({ description: 'When the performance starts.' }),
      salesOpenAt: instant('salesOpenAt')
        .optional()
        .meta({ description: 'When sales open by themselves; on sale at once when left out.' }),
      salesCloseAt: instant('salesCloseAt').optional().meta({
        description: 'When sales close by themselves; open until closed by hand when left out.',
      }),
      lockTtlMs: z
        .number({ error: 'lockTtlMs must be a whole number of milliseconds.' })
        .int({ error: 'lockTtlMs must be a whole number of milliseconds.' })
        .min(1, { error: 'lockTtlMs must be at least 1.' })
        .max(MAX_LOCK_TTL_MS, { error: `lockTtlMs must be at most ${MAX_LOCK_TTL_MS}.` })
        .optional()
        .meta({ description: "How long a lock lasts; the service's LOCK_TTL_MS when left out." }),
      layout: layoutSchema,
    },
    { error: 'The request body must be a JSON object such as {"name": "…", "layout": {…}}.' },
  )
  .superRefine((body, ctx) => {
    if (
      body.salesOpenAt !== undefined &&
      body.salesCloseAt !== undefined &&
      body.salesCloseAt <= body.salesOpenAt
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['salesCloseAt'],
        message: 'salesCloseAt must be later than salesOpenAt.',
      });
    }
  })
  .meta({ id: 'CreateEvent' });

export type CreateEventBody = z.output<typeof createEventBodySchema>;

/**
 * Where an issue is, as a reader writes it: `layout.sections[1].rows[0].seats`; an unknown field
 * is named itself (`layout.sections[0].colour`), not its parent.
 *
 * @example
 * ```ts
 * issuePath({ path: ['layout', 'sections', 1, 'id'] }); // 'layout.sections[1].id'
 * ```
 */
export function issuePath(issue: { path: PropertyKey[]; code?: string; keys?: string[] }): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys![0]] : issue.path;
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/**
 * Validates a `POST /events` body, or throws a 400 `INVALID_REQUEST` whose detail starts with the
 * path of the first offending field (`layout.sections[1].id: Section id "FLOOR" is already …`).
 *
 * @example
 * ```ts
 * const body = parseCreateEvent(req.body);
 * ```
 */
export function parseCreateEvent(input: unknown): CreateEventBody {
  const result = createEventBodySchema.safeParse(input ?? undefined, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issuePath(issue);
  // Every detail starts with where the problem is, so a client can point at the field.
  let detail = `${path}: ${issue.message}`;
  if (issue.code === 'unrecognized_keys') {
    detail = `${path} is not a field this service knows; remove it (or check its spelling).`;
  } else if (issue.code === 'invalid_type' && issue.input === undefined) {
    detail = `${path} is required.`;
  } else if (path === '') {
    detail = issue.message;
  }
  throw new HttpError(400, 'INVALID_REQUEST', detail);
}

/** The query of `GET /events`: a sales state, a page size and the cursor (an event id). */
export const eventListQuerySchema = z.object({
  state: z
    .enum(['scheduled', 'onSale', 'closed', 'cancelled'], {
      error: 'state must be one of scheduled, onSale, closed, cancelled.',
    })
    .optional()
    .meta({ description: 'Only events in this sales state (as of now).' }),
  limit: z
    .string({ error: 'limit must be a single whole number from 1 to 1000.' })
    .regex(/^[0-9]{1,4}$/, { error: 'limit must be a whole number from 1 to 1000.' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: 'limit must be at least 1.' })
        .max(1000, { error: 'limit must be at most 1000.' }),
    )
    .default(100)
    .meta({ description: 'Most events in the page: 1 to 1000, 100 when left out.' }),
  after: z
    .string({ error: "after must be a single event id, as the previous page's next gives it." })
    .max(64, { error: 'after must be an event id (at most 64 characters).' })
    .optional()
    .meta({ description: "Cursor: start after this event id (the previous page's `next`)." }),
});

const isoOrNull = z.iso.datetime().nullable();

export const eventViewSchema = z
  .object({
    id: z.string().meta({ example: 'hamlet-2030-05-01' }),
    name: z.string(),
    salesState: z.enum(['scheduled', 'onSale', 'closed', 'cancelled']),
    startsAt: isoOrNull,
    salesOpenAt: isoOrNull,
    salesCloseAt: isoOrNull,
    cancelledAt: isoOrNull,
    createdAt: z.iso.datetime(),
    lockTtlMs: z.number().int(),
    seats: z.number().int().meta({ description: 'How many seats the event has.' }),
  })
  .strict()
  .meta({ id: 'Event' });

const countsShape = {
  total: z.number().int().min(0),
  available: z.number().int().min(0),
  locked: z.number().int().min(0),
  booked: z.number().int().min(0),
};

export const eventDetailsSchema = eventViewSchema
  .extend({
    counts: z.object(countsShape).strict(),
    categories: z.array(z.object({ category: z.string(), ...countsShape }).strict()),
    layout: z
      .object({
        sections: z.array(
          z
            .object({
              id: z.string(),
              name: z.string(),
              category: z.string(),
              seats: z.number().int(),
              rows: z.array(z.object({ label: z.string(), seats: z.number().int() }).strict()),
            })
            .strict(),
        ),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'EventDetails', description: 'An event with its counts and the layout to draw.' });

export const eventResponseSchema = z
  .object({ event: eventViewSchema })
  .strict()
  .meta({ id: 'EventEnvelope' });
export const eventDetailsResponseSchema = z
  .object({ event: eventDetailsSchema })
  .strict()
  .meta({ id: 'EventDetailsEnvelope' });
export const eventListResponseSchema = z
  .object({ events: z.array(eventViewSchema), next: z.string().nullable() })
  .strict()
  .meta({ id: 'EventList' });

/** The `:eventId` path parameter. */
export const eventParamsSchema = z.object({
  eventId: z
    .string()
    .meta({ description: 'Event id (`default` for the start-up event).', example: 'default' }),
});
