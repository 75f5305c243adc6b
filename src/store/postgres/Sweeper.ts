import type { PoolClient } from 'pg';
import { restoreSeat, stepSeat, type SeatStep } from '../../../machines/run/stepSeat';
import type { Clock } from '../../clock';
import { countArrays, seatArrays, type SeatRow } from './seatRow';
import { CHANNEL, sql } from './sql';
import type { TransitionChannel } from './TransitionChannel';
import type { Database } from './Database';

export interface SweeperOptions {
  db: Database;
  /** `now()` for the EXPIRE events. */
  clock: Pick<Clock, 'now'>;
  channel: TransitionChannel;
  /** How often to look for due locks, in ms; 0 or less: only when {@link Sweeper.sweep} is called. */
  intervalMs: number;
  /** Most due locks expired in one transaction. */
  batch: number;
  logError: (err: unknown) => void;
}

/** Most events whose due locks one sweep expires (the next sweep takes the rest). */
const EVENTS_PER_SWEEP = 100;

/**
 * Expires due locks of every event without their instance (one sweeper per instance, whatever
 * the number of events): every `intervalMs` it tells the machine of each due
 * lock the time (`EXPIRE{now}`) and writes down what the machine decided. Rows are picked
 * `FOR UPDATE SKIP LOCKED`, so instances sweeping together each take different seats, and the
 * machine, not the `locked_until` column, has the last word on each.
 *
 * @example
 * ```ts
 * const sweeper = new Sweeper({ db, clock, channel, intervalMs: 1000, batch: 500, logError });
 * sweeper.start();
 * await sweeper.sweep(); // 3: expired by hand
 * await sweeper.stop();
 * ```
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Whether the last sweep failed (the database is down): failures are reported once. */
  private failing = false;

  constructor(private readonly options: SweeperOptions) {}

  /**
   * Expires due locks through the machine, at most `batch` of them per event, and returns how
   * many it expired. Each event's are expired in a transaction of their own (no transaction spans
   * two events); which events have due locks is one read across them.
   */
  async sweep(): Promise<number> {
    const now = this.options.clock.now();
    const { db, batch } = this.options;
    const { rows } = await db.query<{ event_id: string }>(
      sql.selectEventsWithDueLocks,
      [now, EVENTS_PER_SWEEP],
      'read',
    );
    let expired = 0;
    for (const { event_id: eventId } of rows) {
      expired += await db.transaction(async (client) => {
        const due = await client.query<SeatRow>(sql.selectDueLocks, [eventId, now, batch]);
        const steps = due.rows
          .map((row) => ({
            row,
            step: stepSeat(restoreSeat(row.snapshot), { type: 'EXPIRE', now }),
          }))
          .filter(({ step }) => step.changed);
        if (steps.length > 0) await this.writeExpiries(client, eventId, steps);
        return steps.length;
      });
    }
    return expired;
  }

  /** Sweeps every `intervalMs` from now on (unless that is 0). */
  start(): void {
    const interval = this.options.intervalMs;
    if (interval <= 0 || this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweepAll()
        .then(() => (this.failing = false))
        .catch((err) => {
          // Once per outage, not every interval: it goes on trying, and catches up when back.
          if (!this.failing) this.options.logError(err);
          this.failing = true;
        })
        .finally(() => this.start());
    }, interval).unref();
  }

  /** Stops sweeping; resolves once a sweep under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** Sweeps until no due lock is left (a backlog after an outage takes several batches). */
  private async sweepAll(): Promise<void> {
    while (!this.stopped && (await this.sweep()) > 0);
  }

  /** The sweep's writes: rows are locked by its transaction, so no version check can fail. */
  private async writeExpiries(
    client: PoolClient,
    eventId: string,
    steps: { row: SeatRow; step: SeatStep }[],
  ): Promise<void> {
    await client.query(
      sql.writeExpiries,
      seatArrays(
        eventId,
        steps.map(({ row, step }) => ({ idx: row.idx, snapshot: step.snapshot })),
      ),
    );
    // Counter rows in ascending (block, shard) order, so two sweepers can never deadlock on them.
    const counts = countArrays(
      eventId,
      steps.map(({ row, step }) => ({ idx: row.idx, states: step.states })),
    );
    if (counts[1].length > 0) await client.query(sql.addToCounts, counts);
    // One notification per seat: a payload must stay under 8000 bytes, a batch's would not.
    await client.query(sql.notifyEach(CHANNEL), [
      steps.map(({ row, step }) => this.options.channel.payload(eventId, row.idx, step.changes)),
    ]);
  }
}
