import type { Database } from './Database';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { LockQuota } from '../LockQuota';
import { PostgresLockQuota, type PostgresLockQuotaOptions } from './PostgresLockQuota';

export interface LockQuotaPoolOptions {
  /** Opens the quota's connections, on first use. */
  newDatabase: () => Database;
  clock: Pick<Clock, 'now'>;
}

/**
 * The per-user lock cap's own connections. A quota request holds a connection (its per-user lock)
 * while the seat's LOCK needs another, so sharing the request pool could leave every connection
 * waiting for one more: the quota gets a pool of its own, opened when first asked for.
 *
 * @example
 * ```ts
 * const quotas = new LockQuotaPool({ newDatabase, clock });
 * const quota = quotas.create(10, 'hamlet', layout);
 * await quotas.close();
 * ```
 */
export class LockQuotaPool {
  private db: Database | undefined;

  constructor(private readonly options: LockQuotaPoolOptions) {}

  /**
   * A {@link PostgresLockQuota} of `max` locks per user in event `eventId` over this pool (one
   * pool for every event's cap).
   */
  create(
    max: number,
    eventId: string,
    layout: Layout,
    seats?: PostgresLockQuotaOptions['seats'],
  ): LockQuota {
    const db = (this.db ??= this.options.newDatabase());
    return new PostgresLockQuota({ db, eventId, layout, max, clock: this.options.clock, seats });
  }

  /** Opens the pool's connections now (see {@link Database.warm}), if any cap uses it. */
  async warm(tables: readonly string[]): Promise<void> {
    await this.db?.warm(tables);
  }

  async close(): Promise<void> {
    await this.db?.end();
  }
}
