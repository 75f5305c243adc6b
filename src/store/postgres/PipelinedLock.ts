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
import type { EventRecord } from '../EventRegistry';
import type { Layout } from '../../layout/Layout';
import type { SalesGate, SalesRefusal } from '../../SeatService';
import type { LockQuotaRefusal } from '../LockQuota';
import { toRecord } from '../seatRecord';
import type { ApplyResult } from '../SeatStore';
import { restamp, RETRYABLE, seatWrite } from './CompareAndSetApply';
import { LockBatch } from './LockBatch';
import { isUnreachable, toStoreError, type Database } from './Database';
import { toRecord as toEventRecord, type EventRow } from './PostgresEventRegistry';
import type { SeatRow } from './seatRow';
import { columns, countDelta, counterOf, seatIndex } from './seatRow';
import type { EventRowCache } from './EventRowCache';
import { RowCache, type SeatRowCache } from './RowCache';
import { inlineParams, sql } from './sql';
import type { TransitionChannel } from './TransitionChannel';

export interface PipelinedLockOptions {
  /** The per-user cap's connections (the transaction holds the user's lock). */
  db: Database;
  eventId: string;
  layout: Layout;
  /** Most locks one user may hold at once in the event. */
  max: number;
  /**
   * The time the seat machine judges each held lock's deadline by; a request judged again is
   * stamped with it anew, and with `sqlNow` each write checks the deadline it was decided by.
   */
  clock: Pick<Clock, 'now' | 'sqlNow'>;
  /** The seat as the machine starts it: what a seat without a row is. */
  initial: SeatSnapshot;
  channel: Pick<TransitionChannel, 'payload'>;
  /** The event's seat rows this process saw last (shared with the store's other writers). */
  rows: SeatRowCache;
  /** The events' rows this process read last. */
  events: EventRowCache;
}

/**
 * A user's locks as this process saw them last: the seats whose lock counted then, and the
 * version of the user's `user_locks` row (0: no row). Between two bumps a user's locks only end
 * (confirm, release, expiry), so while the version holds these are all the user can hold.
 */
interface CachedUser {
  version: number;
  held: string[];
}

/** Users whose locks one process keeps in mind, per event; the least recent are forgotten. */
const CACHED_USERS = 10_000;

type Outcome =
  { ok: true; value: ApplyResult | { sales: SalesRefusal } } | ({ ok: false } & LockQuotaRefusal);

/** A compare-and-set that keeps losing means something is wrong: give up rather than spin. */
const MAX_ATTEMPTS = 100;
/** An attempt that lost a race and is to be run again from a fresh read. */
const AGAIN = Symbol('again');

/**
 * A LOCK on PostgreSQL with the per-user cap and the sales window, in one round trip and one
 * commit on the common path, two round trips and one commit otherwise. The machines always
 * decide, in JavaScript, in the order the step-by-step path asks them: the user's cap, the event's
 * sales window, the seat; SQL compares versions, it decides nothing.
 *
 * One round trip: the machines decide on what this process last saw (the user's locks at their
 * `user_locks` version, the event's row at its version, the seat's row at its version; an unknown
 * user is taken to have no `user_locks` row, an unknown seat to have no row), and one statement
 * writes the lock only if every one of those versions still holds: the event row's version, then
 * the user's version bumped by compare-and-set (or the user's first row inserted, if none exists
 * and no seat names the user as holder), then the seat's compare-and-set, the counter and
 * `pg_notify`, each gated on the one before. Sent alone, the statement is its own transaction.
 * Under load, the locks asked while the previous statement is out share the next one
 * ({@link LockBatch}: one round trip and one commit for all of them, each lock still checked and
 * written on its own versions), which is what lets one process do several thousand a second.
 *
 * Two round trips, when the guess was wrong, or any machine refused on what this process had seen
 * (a refusal is only answered on rows read now): the first message opens a transaction, bumps the
 * user's version (its row lock makes one user's requests take turns across instances), and reads
 * the user's locks, the seat's row (`FOR UPDATE`) and the event's row; the machines decide; only
 * when the seat's machine took the lock does the second message write it (compare-and-set on the
 * version read) and COMMIT. Any refusal rolls back, bump included. Both refresh what this process
 * saw.
 *
 * @example
 * ```ts
 * const lock = new PipelinedLock({ db, eventId: 'hamlet', layout, max: 10, clock, initial, channel, rows });
 * await lock.lock('alice', 'A1', { type: 'LOCK', userId: 'alice', lockId: 'L1', now }, sales);
 * ```
 */
export class PipelinedLock {
  private readonly users = new RowCache<string, CachedUser>(CACHED_USERS);
  /** The one-trip locks' statements, many locks each under load. */
  private readonly batch: LockBatch;

  constructor(private readonly options: PipelinedLockOptions) {
    this.batch = new LockBatch({ db: options.db, sqlNow: options.clock.sqlNow });
  }

  async lock(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales?: SalesGate,
  ): Promise<Outcome> {
    await sales?.ready?.();
    const quick = await this.inOneTrip(userId, seatId, event, sales);
    if (quick) return quick;
    for (let attempt = 1; ; attempt++) {
      // Judged again after a write that wrote nothing: at the time it is judged again.
      const judged = attempt > 1 ? restamp(event, this.options.clock) : event;
      const outcome = await this.attempt(userId, seatId, judged, sales);
      if (outcome !== AGAIN) return outcome;
      if (attempt >= MAX_ATTEMPTS) {
        throw new Error(`Seat ${seatId}: gave up after ${attempt} conflicting writes`);
      }
    }
  }

  /**
   * The lock in one statement, decided on what this process saw: the outcome when it was written,
   * `undefined` when a machine refused on those rows or a version no longer held (nothing written
   * but, at most, a bump of the user's version: the two-message path then decides on rows read
   * now).
   */
  private async inOneTrip(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales: SalesGate | undefined,
  ): Promise<Outcome | undefined> {
    const { eventId, layout, rows, initial, channel } = this.options;
    const user = this.users.get(userId) ?? { version: 0, held: [] };
    if (this.capRefusal(seatId, user.held)) return undefined;
    let record: EventRecord | undefined;
    if (sales?.judge) {
      record = await this.options.events.get(sales.eventId ?? eventId);
      if (!record || sales.judge(record, 'REQUEST_LOCK', event.now)) return undefined;
    }
    const index = seatIndex(layout, seatId);
    const seat = rows.get(index) ?? { snapshot: initial, version: 0 };
    const step = stepSeat(seat.snapshot, event);
    if (!step.changed || step.reply?.type !== 'seat.accepted') return undefined;
    const sqlNow = this.options.clock.sqlNow;
    let written: boolean;
    try {
      written = await this.batch.write({
        eventId,
        index,
        seatVersion: seat.version,
        userId,
        userVersion: user.version,
        sale: record && { id: record.id, version: record.version },
        ...columns(step.snapshot),
        liveUntil: sqlNow === undefined ? undefined : step.liveUntil,
        ...counterOf(index),
        ...countDelta(step.states),
        payload:
          step.changes.length === 0 ? undefined : channel.payload(eventId, index, step.changes),
      });
    } catch (err) {
      rows.delete(index);
      this.users.delete(userId);
      // A deadlock or serialization failure wrote nothing: the two-message path decides afresh.
      if (RETRYABLE.has((err as { code?: string }).code ?? '')) return undefined;
      throw err;
    }
    if (!written) return undefined;
    this.users.set(userId, { version: user.version + 1, held: withSeat(user.held, seatId) });
    rows.set(index, { snapshot: step.snapshot, version: seat.version + 1 });
    return { ok: true, value: { reply: step.reply, seat: toRecord(seatId, step.snapshot) } };
  }

  private async attempt(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales: SalesGate | undefined,
  ): Promise<Outcome | typeof AGAIN> {
    const { db, eventId, layout, rows } = this.options;
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
      const [, bumped, heldRows, seatRows, eventRows] = read;
      // The version the user's row has for everyone else: the bump is undone unless we commit.
      const version = (bumped.rows[0] as { version: number }).version;
      const held = this.heldLive(userId, heldRows.rows as SeatRow[]);
      this.users.set(userId, { version: version - 1, held });
      const refusal = this.capRefusal(seatId, held);
      if (refusal) return refusal;
      if (sales?.judge) {
        const row = eventRows?.rows[0] as EventRow | undefined;
        const record = row && toEventRecord(row);
        this.options.events.note(sales.eventId ?? eventId, record);
        const closed = sales.judge(record, 'REQUEST_LOCK', event.now);
        if (closed) return { ok: true, value: { sales: closed } };
      }
      const row = seatRows.rows[0] as SeatRow | undefined;
      const before = row ? restoreSeat(row.snapshot) : this.options.initial;
      rows.set(index, { snapshot: before, version: row?.version ?? 0 });
      const step = stepSeat(before, event);
      const result = { reply: step.reply, seat: toRecord(seatId, step.snapshot) };
      if (!step.changed) return { ok: true, value: result };
      const { text, params } = seatWrite({
        eventId,
        index,
        version: row?.version ?? 0,
        step,
        channel: this.options.channel,
        sqlNow: this.options.clock.sqlNow,
      });
      let written: QueryResult[];
      try {
        written = (await connection.query(
          `${inlineParams(text, params)}; COMMIT`,
        )) as unknown as QueryResult[];
      } catch (err) {
        rows.delete(index);
        this.users.delete(userId);
        if (RETRYABLE.has((err as { code?: string }).code ?? '')) return AGAIN;
        broken = isUnreachable(err) ? (err as Error) : undefined;
        throw toStoreError(err, 'unknown');
      }
      open = false;
      // No row written: another writer made the seat's first row meanwhile (the COMMIT then
      // committed nothing); the machine decides again on that row.
      if (written[0].rowCount !== 1) return AGAIN;
      this.users.set(userId, { version, held: withSeat(held, seatId) });
      rows.set(index, { snapshot: step.snapshot, version: (row?.version ?? 0) + 1 });
      return { ok: true, value: result };
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
   * One message: BEGIN, the user's version bumped (its row locked), the user's locks, the seat's
   * row locked, and the event's row when the sales window is judged here. Each statement sees what
   * committed before it ran (read committed), so the reads after the user's row lock see every
   * lock of that user.
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
      inlineParams(sql.bumpUserLocks, [eventId, userId]),
      inlineParams(sql.selectLocksOf, [eventId, userId]),
      inlineParams(sql.lockSeat, [eventId, index]),
    ];
    if (sales?.judge) statements.push(inlineParams(sql.selectEvent, [sales.eventId ?? eventId]));
    return (await connection.query(statements.join('; '))) as unknown as QueryResult[];
  }

  /** The seats of `rows` whose lock the seat machine says still counts for `userId` now. */
  private heldLive(userId: string, rows: SeatRow[]): string[] {
    const now = this.options.clock.now();
    return rows
      .filter((row) => holdsLiveLock(restoreSeat(row.snapshot), userId, now))
      .map((row) => this.options.layout.idAt(row.idx));
  }

  /** The user's machine's refusal of one more lock, replayed from the locks the user holds. */
  private capRefusal(seatId: string, held: string[]): Outcome | undefined {
    let snapshot = userLocksStart(this.options.max);
    for (const seat of held)
      [snapshot] = stepUserLocks(snapshot, { type: 'LOCK_TAKEN', seatId: seat });
    const refusal = requestLocks(snapshot, [seatId]);
    return refusal && { ok: false, code: 'TOO_MANY_LOCKS', held: held.length, max: refusal.max };
  }
}

/** `held` with `seatId` among them. */
function withSeat(held: string[], seatId: string): string[] {
  return held.includes(seatId) ? held : [...held, seatId];
}
