import type { Pool } from 'pg';
import type { Clock } from '../../clock';
import type { Venue } from '../../venue';
import type { LockQuota } from '../LockQuota';
import { PostgresLockQuota } from './PostgresLockQuota';

export interface LockQuotaPoolOptions {
  /** Opens the quota's pool, on first use. */
  newPool: () => Pool;
  venue: Venue;
  clock: Pick<Clock, 'now'>;
}

/**
 * The per-user lock cap's own connections. A quota request holds a connection (its per-user lock)
 * while the seat's LOCK needs another, so sharing the request pool could leave every connection
 * waiting for one more: the quota gets a pool of its own, opened when first asked for.
 *
 * @example
 * ```ts
 * const quotas = new LockQuotaPool({ newPool, venue, clock });
 * const quota = quotas.create(10);
 * await quotas.close();
 * ```
 */
export class LockQuotaPool {
  private pool: Pool | undefined;

  constructor(private readonly options: LockQuotaPoolOptions) {}

  /** A {@link PostgresLockQuota} of `max` locks per user over this pool. */
  create(max: number): LockQuota {
    this.pool ??= this.options.newPool();
    const { venue, clock } = this.options;
    return new PostgresLockQuota({ pool: this.pool, venue, max, clock });
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
