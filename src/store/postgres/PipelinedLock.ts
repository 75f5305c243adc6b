import type { PoolClient, QueryResult } from 'pg';
import type { SeatRequestEvent } from '../../../machines/seatTypes';
import { requestLocks, stepUserLocks, userLocksStart } from '../../../machines/run/stepUserLocks';
import {
  holdsLiveLock,
  restoreSeat,
  stepSeat,
  type SeatSnapshot,
} from '../../../machines/run/stepSeat';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { SalesGate, SalesRefusal } from '../../SeatService';
import type { LockQuotaRefusal } from '../LockQuota';
import { toRecord } from '../seatRecord';
import type { ApplyResult } from '../SeatStore';
import { RETRYABLE, seatWrite } from './CompareAndSetApply';
import { isUnreachable, toStoreError, type Database } from './Database';
import { toRecord as toEventRecord, type EventRow } from './PostgresEventRegistry';
import type { SeatRow } from './seatRow';
import { seatIndex } from './seatRow';
import { inlineParams, sql } from './sql';
import type { TransitionChannel } from './TransitionChannel';

export interface PipelinedLockOptions {
  /** The per-user cap's connections (the transaction holds the user's lock). */
  db: Database;
  eventId: string;
  layout: Layout;
  /** Most locks one user may hold at once in the event. */
  max: number;
  /** The time the seat machine judges each held lock's deadline by. */
  clock: Pick<Clock, 'now'>;
  /** The seat as the machine starts it: what a seat without a row is. */
  initial: SeatSnapshot;
  channel: Pick<TransitionChannel, 'payload'>;
}

type Outcome =
  { ok: true; value: ApplyResult | { sales: SalesRefusal } } | ({ ok: false } & LockQuotaRefusal);

/** A compare-and-set that keeps losing means something is wrong: give up rather than spin. */
const MAX_ATTEMPTS = 100;
/** An attempt that lost a race and is to be run again from a fresh read. */
const AGAIN = Symbol('again');

/**
 * A LOCK on PostgreSQL in two round trips and one commit, with the per-user cap and the sales
 * window. The first message (simple query protocol: several statements, no parameters) opens a
 * transaction, takes the user's lock (`pg_advisory_xact_lock`, as `PostgresLockQuota` does), and
 * reads the user's locks, the seat's row (`FOR UPDATE`) and the event's row. Then the machines
 * decide, in JavaScript, in the order the step-by-step path asks them: the user's cap, the
 * event's sales window, the seat. Only when the seat's machine took the lock does the second
 * message write it (the seat's compare-and-set statement, on the version read) and COMMIT; any
 * refusal rolls back, having written nothing. SQL compares versions, it decides nothing.
 *
 * @example
 * ```ts
 * const lock = new PipelinedLock({ db, eventId: 'hamlet', layout, max: 10, clock, initial, channel });
 * await lock.lock('alice', 'A1', { type: 'LOCK', userId: 'alice', lockId: 'L1', now }, sales);
 * ```
 */
export class PipelinedLock {
  constructor(private readonly options: PipelinedLockOptions) {}

  async lock(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales?: SalesGate,
  ): Promise<Outcome> {
    await sales?.ready?.();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(userId, seatId, event, sales);
      if (outcome !== AGAIN) return outcome;
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`Seat ${seatId}: gave up after ${attempt} conflicting writes`);
      }
    }
  }

  private async attempt(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales: SalesGate | undefined,
  ): Promise<Outcome | typeof AGAIN> {
    const { db, eventId, layout } = this.options;
    const index = seatIndex(layout, seatId);
    const connection = await db.connect();
    // Whether a transaction may be open on the connection (then it is rolled back before release).
    let open = true;
    let broken: Error | undefined;
    try {
      let read: QueryResult[];
      try {
        read = await this.read(connection, userId, index, sales);
      } catch (err) {
        if (RETRYABLE.has((err as { code?: string }).code ?? '')) return AGAIN;
        broken = isUnreachable(err) ? (err as Error) : undefined;
        throw toStoreError(err, 'not-applied');
      }
      const [, , heldRows, seatRows, eventRows] = read;
      const refusal = this.capRefusal(userId, seatId, heldRows.rows as SeatRow[]);
      if (refusal) return refusal;
      if (sales?.judge) {
        const row = eventRows?.rows[0] as EventRow | undefined;
        const closed = sales.judge(row && toEventRecord(row), 'REQUEST_LOCK', event.now);
        if (closed) return { ok: true, value: { sales: closed } };
      }
      const row = seatRows.rows[0] as SeatRow | undefined;
      const step = stepSeat(row ? restoreSeat(row.snapshot) : this.options.initial, event);
      const result = { reply: step.reply, seat: toRecord(seatId, step.snapshot) };
      if (!step.changed) return { ok: true, value: result };
      const { text, params } = seatWrite({
        eventId,
        index,
        version: row?.version ?? 0,
        step,
        channel: this.options.channel,
      });
      let written: QueryResult[];
      try {
        written = (await connection.query(
          `${inlineParams(text, params)}; COMMIT`,
        )) as unknown as QueryResult[];
      } catch (err) {
        if (RETRYABLE.has((err as { code?: string }).code ?? '')) return AGAIN;
        broken = isUnreachable(err) ? (err as Error) : undefined;
        throw toStoreError(err, 'unknown');
      }
      open = false;
      // No row written: another writer made the seat's first row meanwhile (the COMMIT then
      // committed nothing); the machine decides again on that row.
      return written[0].rowCount === 1 ? { ok: true, value: result } : AGAIN;
    } finally {
      if (open && !broken) {
        broken = await connection.query('ROLLBACK').then(
          () => undefined,
          (err: Error) => err,
        );
      }
      connection.release(broken);
    }
  }

  /**
   * One message: BEGIN, the user's lock, the user's locks, the seat's row locked, and the event's
   * row when the sales window is judged here. Each statement sees what committed before it ran
   * (read committed), so the reads after the user's lock see every lock of that user.
   */
  private async read(
    connection: PoolClient,
    userId: string,
    index: number,
    sales: SalesGate | undefined,
  ): Promise<QueryResult[]> {
    const { eventId } = this.options;
    const statements = [
      'BEGIN',
      inlineParams(sql.lockUser, [eventId, userId]),
      inlineParams(sql.selectLocksOf, [eventId, userId]),
      inlineParams(sql.lockSeat, [eventId, index]),
    ];
    if (sales?.judge) statements.push(inlineParams(sql.selectEvent, [sales.eventId ?? eventId]));
    return (await connection.query(statements.join('; '))) as unknown as QueryResult[];
  }

  /**
   * The user's machine's refusal of one more lock, replayed from the locks the user holds that the
   * seat machine says still count at now.
   */
  private capRefusal(userId: string, seatId: string, rows: SeatRow[]): Outcome | undefined {
    const { clock, layout, max } = this.options;
    const now = clock.now();
    const held = rows
      .filter((row) => holdsLiveLock(restoreSeat(row.snapshot), userId, now))
      .map((row) => layout.idAt(row.idx));
    let snapshot = userLocksStart(max);
    for (const seat of held)
      [snapshot] = stepUserLocks(snapshot, { type: 'LOCK_TAKEN', seatId: seat });
    const refusal = requestLocks(snapshot, [seatId]);
    return refusal && { ok: false, code: 'TOO_MANY_LOCKS', held: held.length, max: refusal.max };
  }
}
