import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { GuestSessions } from '../auth/GuestSessions';
import type { ApiRouter } from './ApiRouter';
import { defineRoute } from './defineRoute';
import { INTERNAL, json, problemResponse } from './responses';

export const sessionSchema = z
  .object({
    token: z.string().meta({
      description: 'Send it as `Authorization: Bearer <token>` with every write.',
    }),
    userId: z.string().meta({
      description: 'The user this session acts as, chosen by the service.',
      example: 'guest-V1StGXR8_Z5jdHi6B-myT',
    }),
    expiresAt: z.iso.datetime().meta({ description: 'When the token stops being accepted.' }),
  })
  .strict()
  .meta({ id: 'GuestSession' });

export const startSession = defineRoute({
  method: 'post',
  path: '/sessions',
  summary:
    'Start a guest session: a user id chosen by the service and a token (a JWT it signs) that proves it.',
  tags: ['sessions'],
  security: 'public',
  responses: {
    201: json('The session.', sessionSchema),
    429: problemResponse(
      'RATE_LIMITED: too many sessions started from this address; wait and retry.',
      { 'Retry-After': { description: 'Seconds to wait.', type: 'integer' } },
    ),
    ...INTERNAL,
  },
});

/**
 * `POST /sessions`: a visitor without an account becomes a user of their own (see
 * {@link GuestSessions}). Limited per client address by `limit` (`SESSIONS_PER_MINUTE`): each
 * session is a fresh user, so unlimited sessions would be unlimited users.
 *
 * @example
 * ```ts
 * sessionRoutes(api, sessions, seatActionRateLimit(60, 'new sessions').middleware);
 * ```
 */
export function sessionRoutes(
  api: ApiRouter,
  sessions: GuestSessions,
  limit?: RequestHandler,
): void {
  api.route(
    startSession,
    (_input, res) => {
      res.status(201).json(sessions.start());
    },
    { before: limit ? [limit] : [] },
  );
}
