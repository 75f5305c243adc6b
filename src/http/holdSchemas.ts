import { z } from 'zod';
import { seatViewSchema, userIdSchema } from './schemas';

// The hold API's schemas (issue 13): they validate requests, describe responses and become the
// OpenAPI components, like `schemas.ts`.

/** Who the request acts for, when an API key acts for a user (ignored otherwise: the credential says). */
const actingFor = userIdSchema.optional();

/** Seat ids of one request: the hold machine caps a hold's size; this only bounds hostile bodies. */
const seatIds = z
  .array(z.string({ error: 'Each seat must be a seat id string.' }).max(64), {
    error: 'seats must be an array of seat ids.',
  })
  .min(1, { error: 'Name at least one seat.' })
  .max(100, { error: 'Name at most 100 seats.' })
  .meta({ example: ['A1', 'A2'] });

export const createHoldBodySchema = z
  .union(
    [
      z.object({ userId: actingFor, seats: seatIds }).strict(),
      z
        .object({
          userId: actingFor,
          count: z
            .number({ error: 'count must be a whole number of seats.' })
            .int({ error: 'count must be a whole number of seats.' })
            .min(1, { error: 'count must be at least 1.' })
            .max(100, { error: 'count must be at most 100.' })
            .meta({ description: 'Best available: this many adjacent seats in one row.' }),
          category: z
            .string()
            .max(64)
            .optional()
            .meta({ description: 'Only this price category.' }),
          section: z.string().max(64).optional().meta({ description: 'Only this section.' }),
        })
        .strict(),
    ],
    {
      error:
        'The body must be {"seats": ["A1", "A2"]} or, for best available, {"count": 4} with an optional "category" or "section".',
    },
  )
  .meta({ id: 'CreateHold' });

export const addHoldSeatsBodySchema = z
  .object({ userId: actingFor, seats: seatIds }, { error: 'The body must be {"seats": ["A3"]}.' })
  .strict()
  .meta({ id: 'AddHoldSeats' });

/** The optional body of extend, confirm and release: only an API key's `userId`. */
export const holdActionBodySchema = z
  .object({ userId: actingFor }, { error: 'The body, when sent, must be a JSON object.' })
  .optional();

export const holdQuerySchema = z.object({ userId: actingFor });

export const holdParamsSchema = z.object({
  holdId: z
    .string()
    .meta({ description: 'The hold’s id, from its creation.', example: 'H_V1StGXR8_Z5j' }),
});

export const holdSeatParamsSchema = z.object({
  ...holdParamsSchema.shape,
  seatId: z.string().meta({ description: 'A seat of the hold.', example: 'A2' }),
});

export const holdViewSchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    state: z.enum(['open', 'confirmed', 'released', 'expired']),
    seats: z.array(seatViewSchema),
    expiresAt: z.iso.datetime().meta({ description: 'When the hold lapses unless extended.' }),
    extensionsLeft: z.number().int().min(0),
  })
  .strict()
  .meta({ id: 'Hold', description: 'Several seats held as one unit by one user.' });

export const holdResponseSchema = z
  .object({ hold: holdViewSchema })
  .strict()
  .meta({ id: 'HoldEnvelope' });

export const bookingResponseSchema = z
  .object({
    booking: z
      .object({
        id: z.string(),
        holdId: z.string(),
        seats: z.array(seatViewSchema),
        at: z.iso.datetime(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'BookingEnvelope' });

export type HoldEnvelope = z.infer<typeof holdResponseSchema>;
export type BookingEnvelope = z.infer<typeof bookingResponseSchema>;
