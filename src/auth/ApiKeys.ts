import { createHash, randomBytes } from 'node:crypto';

/**
 * The API keys of trusted backends, known only by their SHA-256 hex digests (`API_KEYS`): the
 * configuration never holds a key. The one check of an API key, for every route that accepts one
 * (the `caller` routes, where a backend acts for a named user, and the `backend` routes).
 *
 * A key is looked up by its digest in a Map: a lookup's timing can at most reveal a digest, and a
 * digest does not give the key back (keys are 256 random bits, see {@link newApiKey}).
 *
 * @example
 * ```ts
 * const keys = new ApiKeys([sha256hex('sk_…')]);
 * keys.identify('sk_…'); // '3b5d5c3712955042' (a stable, non-secret id of the key)
 * keys.identify('sk_wrong'); // undefined
 * ```
 */
export class ApiKeys {
  /** Digest (hex) → the key's id: the digest's first 16 hex digits. */
  private readonly ids = new Map<string, string>();

  constructor(digests: readonly string[]) {
    for (const digest of digests) {
      const hex = digest.trim().toLowerCase();
      this.ids.set(hex, hex.slice(0, 16));
    }
  }

  /**
   * The keys already identified, by key: a backend sends the same key with every request, and
   * hashing it each time was ≈ 2 % of a lock's CPU time. At most one entry per digest (only a key
   * whose digest is configured gets in), so a flood of unknown keys adds nothing and still pays a
   * hash each. Like the token cache, it holds credentials in memory, where requests carry them.
   */
  private readonly known = new Map<string, string>();

  /** The id of the key `key` (safe to log and to bucket by), or `undefined` for an unknown key. */
  identify(key: string): string | undefined {
    const remembered = this.known.get(key);
    if (remembered !== undefined) return remembered;
    const id = this.ids.get(sha256hex(key));
    if (id !== undefined && this.known.size < this.ids.size) this.known.set(key, id);
    return id;
  }
}

/** The SHA-256 hex digest of `text`'s UTF-8 bytes: what `API_KEYS` holds for each key. */
export function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A fresh API key (`sk_` and 256 random bits in base64url) and the digest to put in `API_KEYS`
 * (`npm run api-key` prints both).
 *
 * @example
 * ```ts
 * const { key, digest } = newApiKey(); // { key: 'sk_…', digest: '9f86d0…' }
 * ```
 */
export function newApiKey(): { key: string; digest: string } {
  const key = `sk_${randomBytes(32).toString('base64url')}`;
  return { key, digest: sha256hex(key) };
}
