import { performance } from 'node:perf_hooks';
import { createWallClock, type Clock } from '../../clock';
import type { Database } from './Database';

/**
 * The database's clock in ms since epoch, with sub-ms precision: what the clock reads, and what
 * writes check deadlines against ({@link DatabaseClock.sqlNow}).
 */
const SQL_NOW = 'extract(epoch FROM clock_timestamp()) * 1000';
const DB_NOW = `SELECT ${SQL_NOW} AS now`;

export interface DatabaseClockOptions {
  db: Pick<Database, 'query'>;
  /** How often the offset is measured again, in ms (default 10 000). */
  resyncMs?: number;
  logError: (err: unknown) => void;
}

/**
 * The database's clock, read locally: every instance sharing a database stamps its events with
 * the same time source, so a lock taken on one instance lasts exactly its TTL on every other,
 * whatever their own clocks say (a host whose NTP is off by seconds neither cuts locks short nor
 * stretches them). The offset from this process's monotonic clock to the database's is measured at
 * start and every `resyncMs` (the sample with the shortest round trip of a few, taken half-way
 * through it), so `now()` costs nothing per request. The machine still gets `now` in its events;
 * only where it comes from changes. Timers are the process's own (they measure durations).
 *
 * @example
 * ```ts
 * const clock = await DatabaseClock.start({ db, logError: console.error });
 * clock.now(); // the database's time, in ms since epoch
 * clock.stop();
 * ```
 */
export class DatabaseClock implements Clock {
  readonly sqlNow = SQL_NOW;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly timers = createWallClock({
    now: () => this.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
  });

  private constructor(private readonly options: DatabaseClockOptions) {}

  /** Measures the offset once (rejects if the database cannot be reached), then keeps it fresh. */
  static async start(options: DatabaseClockOptions): Promise<DatabaseClock> {
    const clock = new DatabaseClock(options);
    await clock.measure();
    clock.schedule();
    return clock;
  }

  now(): number {
    return Math.floor(local() + this.offset);
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown {
    return this.timers.setTimeout(fn, timeout);
  }

  clearTimeout(id: unknown): void {
    this.timers.clearTimeout(id);
  }

  /** The current estimate of (database clock − this process's clock), in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /**
   * Five samples; the one with the shortest round trip is the most precise, to within half of it.
   * An offset within that error is no offset at all (the clocks agree as far as can be told), so
   * hosts kept in sync by NTP add no measurement noise to their deadlines.
   */
  async measure(): Promise<void> {
    let best: { rtt: number; offset: number } | undefined;
    for (let i = 0; i < 5; i++) {
      const before = local();
      const { rows } = await this.options.db.query<{ now: string }>(DB_NOW, [], 'read');
      const after = local();
      const sample = { rtt: after - before, offset: Number(rows[0].now) - (before + after) / 2 };
      if (!best || sample.rtt < best.rtt) best = sample;
    }
    this.offset = Math.abs(best!.offset) <= best!.rtt / 2 + 1 ? 0 : best!.offset;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      // While the database is down the last offset stays: clocks do not drift in seconds.
      this.measure()
        .catch((err) => this.options.logError(err))
        .finally(() => this.schedule());
    }, this.options.resyncMs ?? 10_000).unref();
  }
}

/** This process's clock: monotonic, sub-ms, and untouched by changes to the wall clock. */
function local(): number {
  return performance.timeOrigin + performance.now();
}
