import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { jwtAlgorithmOf, type PublicKeyAlgorithm } from './jwtAlgorithmOf';

export interface JwksKeysOptions {
  /** `JWKS_URL`: where the box office publishes its signing keys. */
  url: string;
  /** The fewest ms between two fetches of the set (default 30 000): unknown `kid`s cannot flood it. */
  minRefreshMs?: number;
  /** Bound on one fetch, in ms (default 5000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface KnownKey {
  pem: string;
  algorithm: PublicKeyAlgorithm;
}

/**
 * The box office's public keys from its JSON Web Key Set (`JWKS_URL`), by `kid`. The set is
 * fetched on first use and again when a token names a `kid` it does not have (keys rotate), but
 * at most once per `minRefreshMs`, so tokens with made-up `kid`s cost a map lookup, not a fetch.
 * Each key is accepted for the one algorithm its type allows (see {@link jwtAlgorithmOf}).
 *
 * @example
 * ```ts
 * const keys = new JwksKeys({ url: 'https://id.example.com/.well-known/jwks.json' });
 * const { pem, algorithm } = await keys.keyFor('2026-11'); // throws for an unknown kid
 * ```
 */
export class JwksKeys {
  private keys = new Map<string, KnownKey>();
  private fetchedAt = -Infinity;
  private fetching: Promise<void> | undefined;

  constructor(private readonly options: JwksKeysOptions) {}

  /** The key `kid` names (any key when the set has one and the token names none). */
  async keyFor(kid: string | undefined): Promise<KnownKey> {
    let key = this.find(kid);
    if (key === undefined && Date.now() - this.fetchedAt >= (this.options.minRefreshMs ?? 30_000)) {
      await this.refresh();
      key = this.find(kid);
    }
    if (key === undefined) {
      throw new Error(
        `The key set at JWKS_URL has no key ${kid === undefined ? '(no kid)' : kid}.`,
      );
    }
    return key;
  }

  private find(kid: string | undefined): KnownKey | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? this.keys.values().next().value : undefined;
  }

  private refresh(): Promise<void> {
    this.fetching ??= this.load().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async load(): Promise<void> {
    this.fetchedAt = Date.now();
    const fetchSet = this.options.fetch ?? fetch;
    const res = await fetchSet(this.options.url, {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`JWKS_URL answered ${res.status}.`);
    const set = (await res.json()) as { keys?: Array<JsonWebKey & { kid?: string; use?: string }> };
    const keys = new Map<string, KnownKey>();
    for (const jwk of set.keys ?? []) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        const pem = key.export({ type: 'spki', format: 'pem' }).toString();
        keys.set(jwk.kid ?? '', { pem, algorithm: jwtAlgorithmOf(key) });
      } catch {
        // A key of a kind this service does not accept (an encryption key, HS…): skipped.
      }
    }
    this.keys = keys;
  }
}
