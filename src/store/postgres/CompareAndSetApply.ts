import type { SeatRequestEvent } from '../../../machines/seatTypes';
import {
  restoreSeat,
  stepSeat,
  type SeatSnapshot,
  type SeatStep,
} from '../../../machines/run/stepSeat';
import type { Layout } from '../../layout/Layout';
import { toRecord } from '../seatRecord';
import type { ApplyResult } from '../SeatStore';
import type { SeatReader } from './SeatReader';
import { columns, countDelta, counterOf, seatIndex } from './seatRow';
import type { SeatRowCache } from './RowCache';
import { CHANNEL, param, sql } from './sql';
import type { TransitionChannel } from './TransitionChannel';
import type { Database } from './Database';
import type { Clock } from '../../clock';

/** A compare-and-set that keeps losing means something is wrong: give up rather than spin forever. */
const MAX_ATTEMPTS = 100;

/** PostgreSQL error codes after which the same request is simply tried again. */
export const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

export interface CompareAndSetApplyOptions {
  db: Database;
  /** The event whose seats this applies to: every statement names it. */
  eventId: string;
  layout: Layout;
  /** The seat as the machine starts it: what a seat without a row is. */
  initial: SeatSnapshot;
  reader: SeatReader;
  channel: TransitionChannel;
  /** The event's seat rows this process saw last (shared with the store's other writers). */
  rows: SeatRowCache;
  /**
   * The store's clock: a request judged again (its write lost a race, or landed after the
   * deadline of the lock it was decided on) is stamped with its time anew; with `sqlNow`, each
   * write checks that deadline as it runs.
   */
  clock?: Pick<Clock, 'now' | 'sqlNow'>;
}

/**
 * The PostgreSQL store's request path. The machine stays the only judge: `apply` reads the seat's
 * persisted snapshot and version, runs the event through the machine with xstate's pure
 * `transition` (see {@link stepSeat}), and writes the new snapshot back only if the version is
 * still the one it read (compare-and-set), trying again from a fresh read otherwise. The write
 * (seat row, summary counter, NOTIFY) is one statement committed before `apply` resolves, so a
 * client told "200" can lose nothing to a crash.
 *
 * When this process saw the seat's row last (it locked the seat, say, and the holder now
 * confirms), the machine first steps that row and the write compares its version: one round
 * trip. Only a step that changes nothing (a refusal, which must be answered on the row as it is
 * now) or a version that moved on reads the row first.
 *
 * @example
 * ```ts
 * const cas = new CompareAndSetApply({ db, eventId: 'hamlet', layout, initial, reader, channel, rows });
 * await cas.apply('A1', { type: 'LOCK', userId: 'u1', lockId: 'L1', now: Date.now() });
 * ```
 */
export class CompareAndSetApply {
  constructor(private readonly options: CompareAndSetApplyOptions) {}

  async apply(id: string, event: SeatRequestEvent): Promise<ApplyResult> {
    const index = seatIndex(this.options.layout, id);
    const { rows } = this.options;
    const seen = rows.get(index);
    // Whether a write of this request was tried and wrote nothing: it is then judged again, at
    // the time it is judged again.
    let again = false;
    if (seen) {
      const step = stepSeat(seen.snapshot, event);
      try {
        if (step.changed && (await this.write(index, seen.version, step))) {
          return { reply: step.reply, seat: toRecord(id, step.snapshot) };
        }
      } catch (err) {
        if (!RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
      again = step.changed;
    }
    for (let attempt = 1; ; attempt++) {
      if (again) event = restamp(event, this.options.clock);
      again = true;
      const row = await this.options.reader.readRow(index);
      const before = row ? restoreSeat(row.snapshot) : this.options.initial;
      rows.set(index, { snapshot: before, version: row?.version ?? 0 });
      const step = stepSeat(before, event);
      try {
        // A refusal changes nothing: it is decided on the snapshot just read, which was current
        // at that moment, so there is nothing to write.
        if (!step.changed || (await this.write(index, row?.version ?? 0, step))) {
          return { reply: step.reply, seat: toRecord(id, step.snapshot) };
        }
      } catch (err) {
        if (!RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`Seat ${id}: gave up after ${attempt} conflicting writes`);
      }
    }
  }

  /**
   * The request written in one statement only while the event's row is still at `event.version`
   * (the sales window it was judged on): the machine steps the seat's row as this process saw it
   * last (or as read now), and the write compares both versions. `undefined` when nothing was
   * written, a refusal included (it is answered on rows read afresh, sales window first).
   *
   * @example
   * ```ts
   * await cas.applyOnSale('A1', confirmEvent, record); // { reply, seat } or undefined
   * ```
   */
  async applyOnSale(
    id: string,
    event: SeatRequestEvent,
    sale: { id: string; version: number },
  ): Promise<ApplyResult | undefined> {
    const { rows, reader, initial } = this.options;
    const index = seatIndex(this.options.layout, id);
    let seen = rows.get(index);
    if (!seen) {
      const row = await reader.readRow(index);
      seen = { snapshot: row ? restoreSeat(row.snapshot) : initial, version: row?.version ?? 0 };
      rows.set(index, seen);
    }
    const step = stepSeat(seen.snapshot, event);
    if (!step.changed) return undefined;
    const guard = (params: unknown[]) => ({
      ctes: `sale AS (${sql.eventAtVersion(param(params, sale.id), param(params, sale.version))}), `,
      gate: 'sale',
    });
    try {
      if (!(await this.write(index, seen.version, step, guard))) return undefined;
    } catch (err) {
      if (RETRYABLE.has((err as { code?: string }).code ?? '')) return undefined;
      throw err;
    }
    return { reply: step.reply, seat: toRecord(id, step.snapshot) };
  }

  /**
   * Writes the step back if the seat's row is still at `version` (0: no row yet), adjusting the
   * summary counters and publishing the transitions in the same statement, so all three commit
   * together or not at all. Returns false when another writer got there first.
   */
  private async write(
    index: number,
    version: number,
    step: SeatStep,
    guard?: Parameters<typeof seatWrite>[0]['guard'],
  ): Promise<boolean> {
    const { eventId, channel, db, clock } = this.options;
    const sqlNow = clock?.sqlNow;
    const { text, params } = seatWrite({ eventId, index, version, step, channel, guard, sqlNow });
    let result;
    try {
      result = await db.query(text, params, 'write');
    } catch (err) {
      this.options.rows.delete(index); // whether it was written is not known
      throw err;
    }
    if (result.rowCount !== 1) return false;
    this.options.rows.set(index, { snapshot: step.snapshot, version: version + 1 });
    return true;
  }
}

/**
 * `event` stamped with `clock`'s time now, when that is later: a request judged again is judged
 * at the time it is judged (never earlier than it first was).
 *
 * @example
 * ```ts
 * event = restamp(event, clock); // before deciding again on a row read afresh
 * ```
 */
export function restamp<E extends { now: number }>(event: E, clock?: Pick<Clock, 'now'>): E {
  const now = clock?.now();
  return now !== undefined && now > event.now ? { ...event, now } : event;
}

/**
 * The statement of a seat's compare-and-set: the step's row written if the seat's row is still at
 * `version` (0: no row yet), the summary counters adjusted and the transitions published, all in
 * one statement (so all commit together or not at all); one row comes back when it was written.
 *
 * @example
 * ```ts
 * const { text, params } = seatWrite({ eventId: 'hamlet', index: 3, version: 0, step, channel });
 * await db.query(text, params, 'write'); // rowCount 1: written
 * ```
 */
export function seatWrite(options: {
  eventId: string;
  index: number;
  version: number;
  step: SeatStep;
  channel: Pick<TransitionChannel, 'payload'>;
  /**
   * CTEs to run first (ending in `, `), given the parameters so far, and the name of the one that
   * must have a row for the seat to be written: the other checks of a one-statement request.
   */
  guard?: (params: unknown[]) => { ctes: string; gate: string };
  /**
   * The time the step was decided by, as SQL (`Clock.sqlNow`): with it, a step decided on a live
   * lock is written only while that time is still before the lock's deadline, so a write that
   * lands after it (a slow commit) writes nothing and the request is judged again.
   */
  sqlNow?: string;
}): { text: string; params: unknown[] } {
  const { eventId, index, version, step, channel, guard, sqlNow } = options;
  const { state, snapshot, lockedUntil, holder } = columns(step.snapshot);
  const params: unknown[] = [eventId, index, state, snapshot, lockedUntil, holder];
  const before = guard?.(params);
  const write =
    version === 0
      ? before
        ? sql.insertSeatAfter(before.gate)
        : sql.insertSeat
      : sql.updateSeatAtVersion(
          param(params, version),
          before?.gate,
          sqlNow !== undefined && step.liveUntil !== undefined
            ? { now: sqlNow, until: param(params, step.liveUntil) }
            : undefined,
        );
  // The seat's (block, shard) counter row: the summary sums them all, available pages skip the
  // blocks they say are full. The counter update runs only after the seat write succeeded
  // (EXPLAIN shows its EXISTS as a one-time filter over `written`): a request locks its seat row
  // before its counter row, the order the sweeper uses too, so the two can never deadlock.
  const { locked, booked } = countDelta(step.states);
  const { block, shard } = counterOf(index);
  const counters =
    locked === 0 && booked === 0
      ? ''
      : sql.countWritten(
          param(params, locked),
          param(params, booked),
          param(params, block),
          param(params, shard),
        );
  const notify =
    step.changes.length === 0
      ? sql.selectWritten
      : sql.notifyWritten(CHANNEL, param(params, channel.payload(eventId, index, step.changes)));
  return { text: sql.writeSeat(write, counters, notify, before?.ctes), params };
}
