import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { callerOf } from '../auth/callerOf';
import { clientKey } from './clientKey';
import { HttpError } from './HttpError';

export interface RateLimit {
  middleware: RequestHandler;
  /** Stops the limiter's cleanup timer. */
  close(): void;
}

/** One bucket's window: its count, when it resets, and its `RateLimit-Policy` header. */
interface Window {
  hits: number;
  resetAt: number;
  policy: string;
}

/**
 * Allows each client at most `perMinute` seat actions in a fixed one-minute window that starts at
 * the bucket's first request. Every client counts, this host's loopback included: a reverse proxy
 * on the same host would otherwise exempt everyone behind it. A trusted backend (an API-key
 * caller) has a budget per key; everyone else one per client address ({@link clientKey}: IPv6 by
 * /56), the address Express gives after `trust proxy` (`TRUST_PROXY`). The caller is read when the
 * request reaches the limiter, so mount it after the authentication middleware.
 *
 * Every answer carries the IETF draft-8 headers, exactly as express-rate-limit (which this
 * replaces) wrote them: `RateLimit: "600-in-1min"; r=<left>; t=<seconds to reset>` and
 * `RateLimit-Policy: "600-in-1min"; q=600; w=60; pk=:<partition key>:`. Over the limit the
 * request is passed on as an {@link HttpError} 429 `RATE_LIMITED` with `Retry-After`, so the
 * central error handler answers it as a problem like every other error.
 *
 * Written here rather than with express-rate-limit: its middleware is an async function that
 * awaits the store, the key, the limit and the header name in turn, and hashes the bucket's key
 * for the partition key on every request; that was ≈ 9 % of a lock's CPU time. This counts
 * synchronously and hashes a key once per window.
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
  const name = `"${perMinute}-in-1min"`;
  // Counts live in this process; behind several instances give each client a sticky instance.
  // Two generations: a bucket not seen for a whole window is dropped with `previous`, so idle
  // clients cost nothing after two minutes without a sweep over every bucket.
  let current = new Map<string, Window>();
  let previous = new Map<string, Window>();
  const sweep = setInterval(() => {
    previous = current;
    current = new Map();
  }, windowMs);
  sweep.unref();

  const windowOf = (key: string, now: number): Window => {
    let window = current.get(key);
    if (window === undefined) {
      window = previous.get(key);
      if (window === undefined) {
        window = { hits: 0, resetAt: now + windowMs, policy: policyOf(name, perMinute, key) };
      } else previous.delete(key);
      current.set(key, window);
    }
    if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + windowMs;
    }
    return window;
  };

  const middleware: RequestHandler = (req, res, next) => {
    const now = Date.now();
    const window = windowOf(bucketOf(req, res), now);
    window.hits++;
    const seconds = Math.max(0, Math.ceil((window.resetAt - now) / 1000));
    res.appendHeader(
      'RateLimit',
      `${name}; r=${Math.max(perMinute - window.hits, 0)}; t=${seconds}`,
    );
    res.appendHeader('RateLimit-Policy', window.policy);
    if (window.hits <= perMinute) return next();
    const wait = Math.max(1, seconds);
    const from = callerOf(res)?.kind === 'apiKey' ? 'with your API key' : 'from your address';
    next(
      new HttpError(
        429,
        'RATE_LIMITED',
        `Too many ${what} ${from} (at most ${perMinute} a minute); try again in ${wait} s.`,
        { 'Retry-After': String(wait) },
      ),
    );
  };
  return {
    middleware,
    close: () => {
      clearInterval(sweep);
      current.clear();
      previous.clear();
    },
  };
}

/**
 * The bucket's `RateLimit-Policy`: its partition key is the first 12 hex digits of the key's
 * SHA-256, in base64, so the header never shows the address or the key id it counts.
 */
function policyOf(name: string, perMinute: number, key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${name}; q=${perMinute}; w=60; pk=:${Buffer.from(digest).toString('base64')}:`;
}

/** An API key's own bucket, else the client address's. */
function bucketOf(req: Request, res: Response): string {
  const caller = callerOf(res);
  if (caller?.kind === 'apiKey') return `key:${caller.apiKeyId ?? 'unnamed'}`;
  return `address:${clientKey(caller?.clientAddress ?? req.ip)}`;
}
