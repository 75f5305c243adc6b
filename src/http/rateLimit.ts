import type { Request, RequestHandler, Response } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { callerOf } from '../auth/callerOf';
import { clientKey } from './clientKey';
import { HttpError } from './HttpError';

export interface RateLimit {
  middleware: RequestHandler;
  /** Stops the limiter's cleanup timer. */
  close(): void;
}

/**
 * Allows each client at most `perMinute` seat actions in a fixed one-minute window
 * (express-rate-limit). Every client counts, this host's loopback included: a reverse proxy on
 * the same host would otherwise exempt everyone behind it. A trusted backend (an API-key caller)
 * has a budget per key; everyone else one per client address ({@link clientKey}: IPv6 by /56),
 * the address Express gives after `trust proxy` (`TRUST_PROXY`). The caller is read when the
 * request reaches the limiter, so mount it after the authentication middleware.
 *
 * Over the limit the request is passed on as an {@link HttpError} 429 `RATE_LIMITED` with
 * `Retry-After`, so the central error handler answers it as a problem like every other error.
 *
 * @example
 * ```ts
 * const limit = seatActionRateLimit(600);
 * router.post('/seats/:id/lock', limit.middleware, handler);
 * ```
 */
export function seatActionRateLimit(
  perMinute: number,
  /** What is counted, for the 429's sentence (`POST /sessions` has a limit of its own). */
  what = 'seat actions',
): RateLimit {
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
    keyGenerator: (req, res) => bucketOf(req, res),
    handler(req, res, next) {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const waitMs = resetTime ? resetTime.getTime() - Date.now() : windowMs;
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      const from = callerOf(res)?.kind === 'apiKey' ? 'with your API key' : 'from your address';
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          `Too many ${what} ${from} (at most ${perMinute} a minute); try again in ${seconds} s.`,
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

/** An API key's own bucket, else the client address's. */
function bucketOf(req: Request, res: Response): string {
  const caller = callerOf(res);
  if (caller?.kind === 'apiKey') return `key:${caller.apiKeyId ?? 'unnamed'}`;
  return `address:${clientKey(caller?.clientAddress ?? req.ip)}`;
}
