import { createSigner, createVerifier } from 'fast-jwt';
import { nanoid } from 'nanoid';
import type { Clock } from '../clock';

/** The `iss` of every guest session token, and the `kid` in its header (how it is told apart). */
export const SESSION_ISSUER = 'seat-booking-service/session';

/** What `POST /sessions` answers. */
export interface GuestSession {
  /** A JWT (HS256) the service signed: send it as `Authorization: Bearer <token>`. */
  token: string;
  /** The user the session acts as: chosen by the service, unguessable (126 random bits). */
  userId: string;
  /** ISO 8601: when the token stops being accepted. */
  expiresAt: string;
}

export interface GuestSessionsOptions {
  /** The signing key (`SESSION_SECRET`, or one generated per process or kept in PostgreSQL). */
  secret: string;
  /** How long a session lives, in ms (`SESSION_TTL_MS`). */
  ttlMs: number;
  clock: Pick<Clock, 'now'>;
}

/**
 * Guest sessions: a visitor who has no account with the box office gets a user id of its own and
 * a token for it, signed by the service (HS256 over `secret`). Every instance that shares the
 * secret accepts every instance's tokens, so a session survives a restart or a load balancer.
 * Timestamps come from `clock` (the database's on PostgreSQL), like every deadline of the service.
 *
 * @example
 * ```ts
 * const sessions = new GuestSessions({ secret, ttlMs: 7_200_000, clock: systemClock });
 * const { token, userId } = sessions.start();
 * sessions.verify(token).sub === userId; // true (expiry is the authenticator's to judge)
 * ```
 */
export class GuestSessions {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly check: (token: string) => Record<string, unknown>;

  constructor(private readonly options: GuestSessionsOptions) {
    this.sign = createSigner({
      key: options.secret,
      algorithm: 'HS256',
      kid: SESSION_ISSUER,
      // iat and exp are set from the service's clock below, not from Date.now().
      noTimestamp: true,
    });
    this.check = createVerifier({
      key: options.secret,
      algorithms: ['HS256'],
      allowedIss: SESSION_ISSUER,
      requiredClaims: ['iss', 'sub', 'exp'],
      // The authenticator judges `exp` by the service's clock and answers TOKEN_EXPIRED itself.
      ignoreExpiration: true,
    });
  }

  /** A new guest: a fresh user id and a token for it. */
  start(): GuestSession {
    const now = this.options.clock.now();
    const userId = `guest-${nanoid()}`;
    const exp = Math.floor((now + this.options.ttlMs) / 1000);
    const token = this.sign({ iss: SESSION_ISSUER, sub: userId, iat: Math.floor(now / 1000), exp });
    return { token, userId, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The claims of a token this service signed; throws fast-jwt's `TokenError` for any other. */
  verify(token: string): Record<string, unknown> {
    return this.check(token);
  }
}
