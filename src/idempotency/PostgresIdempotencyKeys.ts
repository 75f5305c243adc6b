import type { Pool } from 'pg';
import type { IdempotencyEvent, IdempotencyReply } from '../../machines/idempotencyMachine';
import {
  idempotencyKeyStart,
  persistIdempotencyKey,
  restoreIdempotencyKey,
  stepIdempotencyKey,
} from '../../machines/run/stepIdempotencyKey';
import {
  IDEMPOTENCY_LEASE_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyKeys,
  type KeyRef,
} from './IdempotencyKeys';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  snapshot jsonb NOT NULL,
  version integer NOT NULL,
  forget_at bigint NOT NULL,
  PRIMARY KEY (scope, key)
)`;

/** A key's write lost a race with another instance's: read again and step again. */
const MAX_ATTEMPTS = 50;

/**
 * Idempotency keys in PostgreSQL, shared by every instance: a row per (caller scope, key) holding
 * the key machine's snapshot and a version. Each step reads the row, runs the machine, and writes
 * back only if the version is unchanged (the first request inserts with `ON CONFLICT DO NOTHING`),
 * so two instances can never both tell a request with the same key to run. Rows past their 24 h
 * are deleted as they are met and by `prune`.
 *
 * @example
 * ```ts
 * const keys = await PostgresIdempotencyKeys.open(pool);
 * await keys.begin({ scope: 'user:u1', key: 'k1' }, fingerprint, Date.now());
 * ```
 */
export class PostgresIdempotencyKeys implements IdempotencyKeys {
  private constructor(
    private readonly pool: Pool,
    private readonly ttlMs: number,
    private readonly leaseMs: number,
  ) {}

  static async open(
    pool: Pool,
    ttlMs = IDEMPOTENCY_TTL_MS,
    leaseMs = IDEMPOTENCY_LEASE_MS,
  ): Promise<PostgresIdempotencyKeys> {
    await pool.query(SCHEMA);
    return new PostgresIdempotencyKeys(pool, ttlMs, leaseMs);
  }

  async begin(ref: KeyRef, fingerprint: string, now: number): Promise<IdempotencyReply> {
    const start = idempotencyKeyStart({
      fingerprint,
      now,
      ttlMs: this.ttlMs,
      leaseMs: this.leaseMs,
    });
    const reply = await this.step(ref, { type: 'BEGIN', fingerprint, now }, start);
    return reply!;
  }

  async finish(ref: KeyRef, answer: { status: number; body: unknown }, now: number): Promise<void> {
    await this.step(ref, { type: 'FINISH', answer, now });
  }

  async abandon(ref: KeyRef, now: number): Promise<void> {
    await this.step(ref, { type: 'ABANDON', now });
  }

  /** Deletes the keys whose 24 h are over. */
  async prune(now: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM idempotency_keys WHERE forget_at <= $1',
      [now],
    );
    return rowCount ?? 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Steps the key's machine by compare-and-set; `start` is the snapshot a key with no row begins
   * from (none: a key with no row ignores the event, as FINISH and ABANDON of a forgotten key do).
   */
  private async step(
    ref: KeyRef,
    event: IdempotencyEvent,
    start?: ReturnType<typeof idempotencyKeyStart>,
  ): Promise<IdempotencyReply | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { rows } = await this.pool.query<{ snapshot: unknown; version: number }>(
        'SELECT snapshot, version FROM idempotency_keys WHERE scope = $1 AND key = $2',
        [ref.scope, ref.key],
      );
      const row = rows[0];
      const current = row ? restoreIdempotencyKey(row.snapshot) : start;
      if (!current) return undefined;
      const [next, reply] = stepIdempotencyKey(current, event);
      const forgetAt = next.context.at + next.context.ttlMs;
      const snapshot = JSON.stringify(persistIdempotencyKey(next));
      const written = row
        ? await this.pool.query(
            `UPDATE idempotency_keys SET snapshot = $3, version = version + 1, forget_at = $4
             WHERE scope = $1 AND key = $2 AND version = $5`,
            [ref.scope, ref.key, snapshot, forgetAt, row.version],
          )
        : await this.pool.query(
            `INSERT INTO idempotency_keys (scope, key, snapshot, version, forget_at)
             VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING`,
            [ref.scope, ref.key, snapshot, forgetAt],
          );
      if (written.rowCount === 1) return reply;
    }
    throw new Error(`Idempotency key ${ref.key}: gave up after ${MAX_ATTEMPTS} conflicting writes`);
  }
}
