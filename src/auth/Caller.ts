/**
 * Who is asking, as the authentication middleware established it (issue 11). Every write route
 * acts for `userId` and nobody else; routes never read a user id from anywhere but here.
 *
 * - `session`: a guest session token the service signed (`POST /sessions`).
 * - `jwt`: a box office's own user, from a JWT verified against the configured key (`sub`).
 * - `apiKey`: a trusted backend acting on behalf of the user it names (`userId` in the body or
 *   `?userId=`); exempt from the per-client lock cap, rate-limited per key.
 * - `open`: `AUTH=off`, local experiments only: the body's `userId` is trusted.
 *
 * @example
 * ```ts
 * const caller: Caller = { kind: 'session', userId: 'u_V1StGXR8', clientAddress: '203.0.113.9' };
 * ```
 */
export interface Caller {
  kind: CallerKind;
  /** The user this request acts for. */
  userId: string;
  /** The client's address (after `TRUST_PROXY`), for per-address caps and rate limits. */
  clientAddress: string;
  /** For `apiKey` callers: a stable, non-secret id of the key (the first 16 hex digits of its digest). */
  apiKeyId?: string;
}

export type CallerKind = 'session' | 'jwt' | 'apiKey' | 'open';

/**
 * A trusted backend calling a route of security `backend` (creating and running events): it acts
 * for no user, so it is not a {@link Caller}. Left in `res.locals.backend`.
 */
export interface Backend {
  kind: 'apiKey';
  /** A stable, non-secret id of the key: the first 16 hex digits of its digest. */
  apiKeyId: string;
  clientAddress: string;
}
