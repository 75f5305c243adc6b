import { createPublicKey } from 'node:crypto';
import { createVerifier, type Algorithm } from 'fast-jwt';
import { jwtAlgorithmOf } from './jwtAlgorithmOf';
import { JwksKeys } from './JwksKeys';

/** How the box office signs its users' tokens: exactly one of the three (see `loadConfig`). */
export interface BoxOfficeTokensOptions {
  /** `JWT_SECRET`: HS256, the secret's UTF-8 bytes. */
  secret?: string;
  /** `JWT_PUBLIC_KEY`: a PEM public key; RS256, ES256 or EdDSA by its type. */
  publicKey?: string;
  /** `JWKS_URL`: the box office's key set, by `kid`. */
  jwksUrl?: string;
  /** `JWT_ISSUER`: when set, `iss` must be exactly this. */
  issuer?: string;
  /** `JWT_AUDIENCE`: when set, `aud` must be (or contain) this. */
  audience?: string;
  /** For `jwksUrl` (tests serve their own key set). */
  fetch?: typeof fetch;
}

/** Verifies a token's signature and claims (never `exp`), resolving with its claims. */
export type ClaimsVerifier = (
  token: string,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The verifier of the box office's own users' JWTs (fast-jwt), or `undefined` when none of
 * `JWT_SECRET`, `JWT_PUBLIC_KEY` and `JWKS_URL` is set. The accepted algorithm always comes from
 * the key, never from the token alone. `sub` and `exp` are required, and `iss`/`aud` when
 * configured; expiry itself is judged by the authenticator (`TOKEN_EXPIRED`), by the service's clock.
 *
 * @example
 * ```ts
 * const verify = boxOfficeTokens({ secret: process.env.JWT_SECRET, issuer: 'https://id.example.com' });
 * const claims = await verify!(token); // { sub: 'alice', exp: 1764547200, … }
 * ```
 */
export function boxOfficeTokens(options: BoxOfficeTokensOptions): ClaimsVerifier | undefined {
  const { issuer, audience } = options;
  const claims = {
    requiredClaims: ['sub', 'exp', ...(issuer ? ['iss'] : []), ...(audience ? ['aud'] : [])],
    ...(issuer ? { allowedIss: issuer } : {}),
    ...(audience ? { allowedAud: audience } : {}),
    ignoreExpiration: true,
  };
  if (options.secret !== undefined) {
    return createVerifier({ key: options.secret, algorithms: ['HS256'], ...claims });
  }
  if (options.publicKey !== undefined) {
    const algorithm = jwtAlgorithmOf(createPublicKey(options.publicKey));
    return createVerifier({ key: options.publicKey, algorithms: [algorithm], ...claims });
  }
  if (options.jwksUrl !== undefined) {
    const keys = new JwksKeys({ url: options.jwksUrl, fetch: options.fetch });
    const verifiers = new Map<string, ClaimsVerifier>();
    // The key (and so the one algorithm allowed) is picked by the token's `kid`; a verifier per
    // key keeps fast-jwt's checks exactly those of a configured public key.
    return async (token) => {
      const kid = headerOf(token).kid;
      const key = await keys.keyFor(typeof kid === 'string' ? kid : undefined);
      let verify = verifiers.get(key.pem);
      if (verify === undefined) {
        verify = createVerifier({
          key: key.pem,
          algorithms: [key.algorithm as Algorithm],
          ...claims,
        });
        verifiers.set(key.pem, verify);
      }
      return verify(token);
    };
  }
  return undefined;
}

/** A token's header, decoded without verifying anything; `{}` when it is not a JWT's. */
export function headerOf(token: string): Record<string, unknown> {
  const end = token.indexOf('.');
  if (end <= 0) return {};
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString());
    return header !== null && typeof header === 'object' ? (header as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
