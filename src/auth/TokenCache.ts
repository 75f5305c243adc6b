/**
 * Tokens already verified, so a repeat request with the same token skips the signature check:
 * bounded (the oldest entry goes first when full, so a flood of distinct tokens costs memory once
 * and no more) and honouring each token's `exp` (an entry is never returned at or after its
 * expiry; the caller then verifies again and answers `TOKEN_EXPIRED`). Keyed by the whole token:
 * a key made of part of it (the signature alone) would let a forged header or payload borrow a
 * verified token's entry.
 *
 * @example
 * ```ts
 * const cache = new TokenCache<Identity>(10_000);
 * cache.set(token, identity, expiresAtMs);
 * cache.get(token, clock.now()); // identity, until expiresAtMs
 * ```
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** What `token` was verified as, or `undefined` when it is unknown or expired at `now`. */
  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers `token` as `value` until `expiresAt` (ms since epoch). */
  set(token: string, value: T, expiresAt: number): void {
    if (this.capacity <= 0) return;
    this.entries.delete(token);
    if (this.entries.size >= this.capacity) {
      // A Map iterates in insertion order: the first key is the oldest entry.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, { value, expiresAt });
  }
}
