import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { HttpError } from './HttpError';

export interface RateLimit {
  middleware: RequestHandler;
  /** Stops the limiter's cleanup timer. */
  close(): void;
}

/**
 * Allows each client (by IP address, IPv6 by /56 subnet) at most `perMinute` seat actions in a
 * fixed one-minute window (express-rate-limit). Over the limit the request is passed on as an
 * {@link HttpError} 429 `RATE_LIMITED` with `Retry-After`, so the central error handler answers
 * it as a problem like every other error.
 *
 * @example
 * ```ts
 * const limit = seatActionRateLimit(600);
 * router.post('/seats/:id/lock', limit.middleware, handler);
 * ```
 */
export function seatActionRateLimit(perMinute: number): RateLimit {
  const windowMs = 60_000;
  // Counts live in this process; behind several instances give each client a sticky instance or
  // swap in a shared store (express-rate-limit has Redis and PostgreSQL ones).
  const store = new MemoryStore();
  const middleware = rateLimit({
    windowMs,
    store,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler(req, _res, next) {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const waitMs = resetTime ? resetTime.getTime() - Date.now() : windowMs;
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          `Too many seat actions from your address (at most ${perMinute} a minute); try again in ${seconds} s.`,
          { 'Retry-After': String(seconds) },
        ),
      );
    },
  });
  return {
    middleware,
    close: () => store.shutdown(),
  };
}
