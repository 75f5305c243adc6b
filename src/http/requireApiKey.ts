import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './HttpError';

/**
 * Lets a request through only with `Authorization: Bearer <API key>` whose SHA-256 hex digest is
 * one of `digests` (the service keeps digests, never keys): the check of the routes only a
 * trusted backend may call (creating events, opening, closing and cancelling them). Anything else
 * is a 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`. With no digests configured, every
 * request is refused.
 *
 * @example
 * ```ts
 * router.post('/events', requireApiKey([sha256hex]), handler);
 * ```
 */
export function requireApiKey(digests: readonly string[]): RequestHandler {
  const known = digests.map((digest) => Buffer.from(digest.toLowerCase(), 'hex'));
  return (req, _res, next) => {
    const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(req.get('Authorization') ?? '');
    const digest = match && createHash('sha256').update(match[1], 'utf8').digest();
    if (digest && known.some((k) => k.length === digest.length && timingSafeEqual(k, digest))) {
      return next();
    }
    next(
      new HttpError(
        401,
        'UNAUTHENTICATED',
        'This needs an API key: send Authorization: Bearer <key> with a key whose SHA-256 digest is in API_KEYS.',
        { 'WWW-Authenticate': 'Bearer' },
      ),
    );
  };
}
