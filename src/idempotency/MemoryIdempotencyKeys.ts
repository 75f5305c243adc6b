import type { IdempotencyReply, StoredAnswer } from '../../machines/idempotencyMachine';
import {
  idempotencyKeyStart,
  stepIdempotencyKey,
  type IdempotencyKeySnapshot,
} from '../../machines/run/stepIdempotencyKey';
import {
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyKeys,
  type KeyRef,
} from './IdempotencyKeys';

/**
 * Idempotency keys in this process (the memory store's). Each key is a snapshot of its machine;
 * every step is synchronous, so two requests with one key can never both be told to run. Keys
 * past their time are dropped as they are met and by a sweep every so many writes, so memory stays
 * bounded by the keys of the last 24 h.
 *
 * @example
 * ```ts
 * const keys = new MemoryIdempotencyKeys();
 * await keys.begin({ scope: 'user:u1', key: 'k1' }, 'POST /holds {…}', Date.now());
 * ```
 */
export class MemoryIdempotencyKeys implements IdempotencyKeys {
  private readonly keys = new Map<string, IdempotencyKeySnapshot>();
  private writes = 0;

  constructor(
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly leaseMs = IDEMPOTENCY_LEASE_MS,
  ) {}

  begin(ref: KeyRef, fingerprint: string, now: number): Promise<IdempotencyReply> {
    const id = keyOf(ref);
    const current =
      this.keys.get(id) ??
      idempotencyKeyStart({ fingerprint, now, ttlMs: this.ttlMs, leaseMs: this.leaseMs });
    const [next, reply] = stepIdempotencyKey(current, { type: 'BEGIN', fingerprint, now });
    this.keys.set(id, next);
    if (++this.writes % 1024 === 0) this.sweep(now);
    return Promise.resolve(reply!);
  }

  finish(ref: KeyRef, answer: StoredAnswer, now: number): Promise<void> {
    this.step(ref, { type: 'FINISH', answer, now });
    return Promise.resolve();
  }

  abandon(ref: KeyRef, now: number): Promise<void> {
    this.step(ref, { type: 'ABANDON', now });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.keys.clear();
    return Promise.resolve();
  }

  /** Keys remembered right now (for tests and the memory bench). */
  get size(): number {
    return this.keys.size;
  }

  private step(ref: KeyRef, event: Parameters<typeof stepIdempotencyKey>[1]): void {
    const id = keyOf(ref);
    const current = this.keys.get(id);
    if (!current) return;
    const [next] = stepIdempotencyKey(current, event);
    if (next.value === 'fresh') this.keys.delete(id);
    else this.keys.set(id, next);
  }

  /** Forgets keys whose 24 h are over: the machine would start them afresh anyway. */
  private sweep(now: number): void {
    for (const [id, key] of this.keys) {
      if (now >= key.context.at + key.context.ttlMs) this.keys.delete(id);
    }
  }
}

function keyOf({ scope, key }: KeyRef): string {
  return `${scope}\u0000${key}`;
}
