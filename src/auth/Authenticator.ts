import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../clock';
import { HttpError } from '../http/HttpError';
import { parse, userIdSchema } from '../http/schemas';
import type { ApiKeys } from './ApiKeys';
import { headerOf, type ClaimsVerifier } from './BoxOfficeTokens';
import type { Backend, Caller } from './Caller';
import { SESSION_ISSUER, type GuestSessions } from './GuestSessions';
import { TokenCache } from './TokenCache';

export interface AuthenticatorOptions {
  sessions: GuestSessions;
  /** The box office's own users' tokens (`JWT_SECRET`, `JWT_PUBLIC_KEY` or `JWKS_URL`), if any. */
  boxOffice?: ClaimsVerifier;
  apiKeys: ApiKeys;
  /** Expiry is judged by this clock (the service's: the database's on PostgreSQL). */
  clock: Pick<Clock, 'now'>;
  /**
   * `AUTH=off`: a request without a credential acts for the user it names (body `userId`, or
   * `?userId=`), as before credentials existed. Local experiments only.
   */
  open?: boolean;
  /** Most verified tokens remembered (default 10 000). */
  cacheSize?: number;
}

/** Who a credential proves the caller is: a user (session, JWT), or a backend's API key. */
export type Identity =
  { kind: 'session' | 'jwt'; userId: string } | { kind: 'apiKey'; apiKeyId: string };

/** A JWT's shape: three base64url parts (the signature may not be empty). */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Establishes who is asking, once per request, for every route that is not public. It reads
 * `Authorization: Bearer <credential>`, where the credential is one of:
 *
 * - an API key of a trusted backend (its SHA-256 digest in `API_KEYS`), which acts for the user
 *   the request names: `userId` in the JSON body of a POST (required then), `?userId=` otherwise;
 * - a guest session token this service signed (`POST /sessions`; its header's `kid` says so);
 * - a JWT of the box office's own users, verified by `boxOffice`; the user is `sub`.
 *
 * A user credential may leave the body's `userId` out; one that names another user is a 403
 * `FORBIDDEN`. No credential, a malformed one, a bad signature, issuer or audience is a 401
 * `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`; an expired token a 401 `TOKEN_EXPIRED`. A
 * token's subject obeys the same rules as any user id (400 otherwise). Verified tokens are
 * remembered until they expire ({@link TokenCache}), so a repeat request skips the signature.
 *
 * `caller` leaves a {@link Caller} in `res.locals.caller` (`callerOf`); `backend` accepts API keys
 * only and leaves a {@link Backend} in `res.locals.backend`.
 *
 * @example
 * ```ts
 * const auth = new Authenticator({ sessions, apiKeys: new ApiKeys(digests), clock });
 * const api = new ApiRouter({ caller: auth.caller, backend: auth.backend });
 * ```
 */
export class Authenticator {
  private readonly cache: TokenCache<Identity>;

  constructor(private readonly options: AuthenticatorOptions) {
    this.cache = new TokenCache(options.cacheSize ?? 10_000);
  }

  /** The middleware of security level `caller`. */
  readonly caller: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    if (token === undefined) {
      if (!this.options.open) {
        throw unauthenticated(
          'This needs a credential: start a guest session with POST /sessions and send its token as Authorization: Bearer <token>.',
        );
      }
      const userId = namedUser(req);
      if (userId === undefined) throw missingUser(req);
      return this.enter(res, { kind: 'open', userId, clientAddress: req.ip ?? '' }, next);
    }
    const identity = this.identify(token);
    if (identity instanceof Promise) {
      return identity.then((known) => this.enter(res, this.callerOf(req, known), next));
    }
    this.enter(res, this.callerOf(req, identity), next);
  };

  /** The middleware of security level `backend`: a known API key, nothing else. */
  readonly backend: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    const apiKeyId = token === undefined ? undefined : this.options.apiKeys.identify(token);
    if (apiKeyId === undefined) {
      throw unauthenticated(
        'This needs an API key: send Authorization: Bearer <key> with a key whose SHA-256 digest is in API_KEYS.',
      );
    }
    const backend: Backend = { kind: 'apiKey', apiKeyId, clientAddress: req.ip ?? '' };
    (res.locals as { backend?: Backend }).backend = backend;
    next();
  };

  /**
   * Who `token` proves the caller is, or throws the 401 (or 400) to answer. Synchronous unless
   * the box office's keys come from `JWKS_URL` and the token is not remembered.
   */
  identify(token: string): Identity | Promise<Identity> {
    const cached = this.cache.get(token, this.options.clock.now());
    if (cached !== undefined) return cached;
    const apiKeyId = this.options.apiKeys.identify(token);
    if (apiKeyId !== undefined) return { kind: 'apiKey', apiKeyId };
    if (!JWT_SHAPE.test(token)) {
      throw unauthenticated(
        'The bearer credential is neither a known API key nor a token: start a guest session with POST /sessions.',
      );
    }
    const session = headerOf(token).kid === SESSION_ISSUER;
    const kind = session ? 'session' : 'jwt';
    const verify = session
      ? (t: string) => this.options.sessions.verify(t)
      : this.options.boxOffice;
    if (verify === undefined) {
      throw unauthenticated(
        'This service accepts no box office tokens (none of JWT_SECRET, JWT_PUBLIC_KEY, JWKS_URL is set): start a guest session with POST /sessions.',
      );
    }
    let claims: ReturnType<ClaimsVerifier>;
    try {
      claims = verify(token);
    } catch (err) {
      throw refused(err);
    }
    if (claims instanceof Promise) {
      return claims.then(
        (verified) => this.remember(token, kind, verified),
        (err: unknown) => {
          throw refused(err);
        },
      );
    }
    return this.remember(token, kind, claims);
  }

  /** Checks what fast-jwt leaves to us (expiry by our clock, the subject), then caches it. */
  private remember(
    token: string,
    kind: 'session' | 'jwt',
    claims: Record<string, unknown>,
  ): Identity {
    const { exp, sub } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw unauthenticated('The token has no valid exp claim; every token must expire.');
    }
    const expiresAt = exp * 1000;
    if (this.options.clock.now() >= expiresAt) {
      throw new HttpError(
        401,
        'TOKEN_EXPIRED',
        `The token expired at ${new Date(expiresAt).toISOString()}: start a new guest session with POST /sessions, or get a fresh token from your box office.`,
        { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="expired"' },
      );
    }
    if (typeof sub !== 'string') throw unauthenticated('The token has no sub (subject) claim.');
    const check = userIdSchema.safeParse(sub);
    if (!check.success) {
      throw new HttpError(
        400,
        'INVALID_REQUEST',
        `The token's subject (sub) is not a valid user id: ${check.error.issues[0].message}`,
      );
    }
    const identity: Identity = { kind, userId: sub };
    this.cache.set(token, identity, expiresAt);
    return identity;
  }

  /** The caller a verified identity acts as on this request (403 for another user's name). */
  private callerOf(req: Request, identity: Identity): Caller {
    const named = namedUser(req);
    const clientAddress = req.ip ?? '';
    if (identity.kind === 'apiKey') {
      if (named === undefined) throw missingUser(req);
      return { kind: 'apiKey', userId: named, clientAddress, apiKeyId: identity.apiKeyId };
    }
    if (named !== undefined && named !== identity.userId) {
      throw new HttpError(
        403,
        'FORBIDDEN',
        'The userId in this request is not the user your credential belongs to: leave userId out, or send your own.',
      );
    }
    return { kind: identity.kind, userId: identity.userId, clientAddress };
  }

  private enter(res: Response, caller: Caller, next: () => void): void {
    (res.locals as { caller?: Caller }).caller = caller;
    next();
  }
}

/** Methods whose user is named in the JSON body; the others name it in `?userId=`. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The user the request names (validated: 400 for a bad id), or `undefined` when it names none. */
function namedUser(req: Request): string | undefined {
  const source: unknown = BODY_METHODS.has(req.method) ? req.body : req.query;
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return undefined;
  if (!Object.hasOwn(source, 'userId')) return undefined;
  return parse(userIdSchema, (source as { userId: unknown }).userId);
}

function missingUser(req: Request): HttpError {
  const where = BODY_METHODS.has(req.method) ? '"userId" in the JSON body' : '?userId=';
  return new HttpError(
    400,
    'INVALID_REQUEST',
    `userId is required: name the user this request acts for with ${where}.`,
  );
}

/** The credential of `Authorization: Bearer …`, `undefined` without one, 401 when malformed. */
function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer +([\x21-\x7e]{1,4096}) *$/i.exec(header);
  if (match === null) {
    throw unauthenticated('The Authorization header must be "Bearer <credential>".');
  }
  return match[1];
}

function unauthenticated(detail: string): HttpError {
  return new HttpError(401, 'UNAUTHENTICATED', detail, { 'WWW-Authenticate': 'Bearer' });
}

/** A token fast-jwt refused (bad signature, issuer, audience, algorithm, unknown key…). */
function refused(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return unauthenticated(`The token was refused: ${why}`);
}
