import type { Database } from './Database';
import type { Clock } from '../../clock';
import type { Venue } from '../../venue';
import type { LockQuota } from '../LockQuota';
import { PostgresLockQuota } from './PostgresLockQuota';

export interface LockQuotaPoolOptions {
  /** Opens the quota's connections, on first use. */
  newDatabase: () => Database;
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
 * const quotas = new LockQuotaPool({ newDatabase, venue, clock });
 * const quota = quotas.create(10);
 * await quotas.close();
 * ```
 */
export class LockQuotaPool {
  private db: Database | undefined;

  constructor(private readonly options: LockQuotaPoolOptions) {}

  /** A {@link PostgresLockQuota} of `max` locks per user over this pool. */
  create(max: number): LockQuota {
    this.db ??= this.options.newDatabase();
    const { venue, clock } = this.options;
    return new PostgresLockQuota({ db: this.db, venue, max, clock });
  }

  async close(): Promise<void> {
    await this.db?.end();
  }
}
