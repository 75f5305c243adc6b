import { createHash } from 'node:crypto';
import type { Database } from './Database';
import { StoreUnavailableError } from '../StoreUnavailableError';
import { CHANNEL, sql } from './sql';

/**
 * One lock as the one-trip path decided it (see `PipelinedLock`): the rows' versions it was
 * decided on, and what to write if they all still hold.
 */
export interface LockWrite {
  eventId: string;
  index: number;
  /** The seat's version as decided on (0: the seat has no row). */
  seatVersion: number;
  userId: string;
  /** The user's `user_locks` version as decided on (0: no row). */
  userVersion: number;
  /** The event's row the sales window was judged on, if it was. */
  sale?: { id: string; version: number };
  state: string;
  /** The new snapshot, as JSON. */
  snapshot: string;
  lockedUntil: number | null;
  holder: string | null;
  /** The deadline of the live lock the step was decided on, if any (see `SeatStep.liveUntil`). */
  liveUntil?: number;
  block: number;
  shard: number;
  locked: number;
  booked: number;
  /** The NOTIFY payload of the step's transitions (none: nothing to publish). */
  payload?: string;
}

export interface LockBatchOptions {
  db: Database;
  /** The time as SQL (`Clock.sqlNow`) that a step decided on a live lock is checked against. */
  sqlNow?: string;
  /**
   * Statements in flight at once (default 1); locks asked meanwhile wait for the next one. One
   * measured best on the bench (2 cores): fewer, larger statements cost PostgreSQL 70–90 µs a lock
   * against 150 µs with 2 or 4 in flight, and the wait is one statement's time at most.
   */
  maxInFlight?: number;
  /** Most locks in one statement (default 100). */
  maxRows?: number;
  /** Most locks waiting (default 2,000); one more is refused at once (a 503, nothing written). */
  queueLimit?: number;
}

interface Waiting {
  write: LockWrite;
  resolve: (written: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Writes one-trip locks (see `PipelinedLock`) many to a statement: application-level group
 * commit. A lock asked while fewer than `maxInFlight` statements are out is sent at once (alone,
 * when the service is quiet: no wait is added); asked while they are all out, it waits, and the
 * next statement takes every lock waiting then. Under load, PostgreSQL then pays one round trip,
 * one commit, one WAL flush and one NOTIFY lock (which every notifying transaction takes in turn,
 * through its commit) per batch instead of per lock; the service pays one socket write.
 *
 * Each lock is still checked and written on its own terms (`sql.writeLocks`): one whose versions
 * moved on, or whose user or seat row another transaction holds, writes nothing while the others
 * commit, and the statement never waits on such a row. Two locks of one seat or one user never
 * share a statement (the later one waits for the next, or is answered "not written" at once when
 * the earlier took the seat), so a row's outcome is its own. A statement that fails fails each of
 * its locks with its error (a deadlock or serialization failure: the caller decides each afresh,
 * as for a single lock).
 *
 * @example
 * ```ts
 * const batch = new LockBatch({ db, sqlNow: clock.sqlNow });
 * const written = await batch.write(lockWrite); // false: a version it was decided on moved on
 * ```
 */
export class LockBatch {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly text: string;
  private readonly name: string;

  constructor(private readonly options: LockBatchOptions) {
    this.text = sql.writeLocks(CHANNEL, options.sqlNow ?? '0');
    this.name = `locks_${createHash('sha1').update(this.text).digest('hex').slice(0, 16)}`;
  }

  /** Resolves `true` when the lock was written (committed), `false` when a check failed. */
  write(write: LockWrite): Promise<boolean> {
    if (this.waiting.length >= (this.options.queueLimit ?? 2000)) {
      return Promise.reject(new StoreUnavailableError('overloaded', 'not-applied', 1));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      // Sent after the current turn of the event loop, so the requests read in the same turn
      // share a statement.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    const max = Math.max(1, this.options.maxInFlight ?? 1);
    while (this.inFlight < max && this.waiting.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next statement's locks: the oldest waiting, skipping any whose seat or user is taken. */
  private take(): Waiting[] {
    const maxRows = Math.max(1, this.options.maxRows ?? 100);
    const batch: Waiting[] = [];
    const seats = new Set<string>();
    const users = new Set<string>();
    const left: Waiting[] = [];
    for (const waiting of this.waiting) {
      const seat = seatKey(waiting.write);
      const user = `${waiting.write.eventId}\u0000${waiting.write.userId}`;
      if (batch.length >= maxRows || seats.has(seat) || users.has(user)) {
        left.push(waiting);
        continue;
      }
      seats.add(seat);
      users.add(user);
      batch.push(waiting);
    }
    this.waiting.splice(0, this.waiting.length, ...left);
    return batch;
  }

  /** Sends one statement; never rejects (each lock hears its own outcome). */
  private async send(batch: Waiting[]): Promise<void> {
    let written: Set<number>;
    try {
      const result = await this.options.db.query<{ n: string }>(
        this.text,
        lockColumns(batch.map((b) => b.write)),
        'write',
        this.name,
      );
      written = new Set(result.rows.map((row) => Number(row.n)));
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(written.has(i + 1)));
    this.settleLosers(batch.filter((_, i) => written.has(i + 1)).map((b) => b.write));
  }

  /**
   * Locks still waiting for a seat one of `written` just took, decided on the version it took it
   * at (or an older one): their check can only fail, so they are answered now ("not written": the
   * caller decides them on rows read afresh) instead of after a statement more each.
   */
  private settleLosers(written: LockWrite[]): void {
    if (written.length === 0 || this.waiting.length === 0) return;
    const taken = new Map(written.map((w) => [seatKey(w), w.seatVersion]));
    const left: Waiting[] = [];
    for (const waiting of this.waiting) {
      const version = taken.get(seatKey(waiting.write));
      if (version !== undefined && waiting.write.seatVersion <= version) waiting.resolve(false);
      else left.push(waiting);
    }
    this.waiting.splice(0, this.waiting.length, ...left);
  }
}

/** A seat's key among the locks of every event. */
function seatKey(write: LockWrite): string {
  return `${write.eventId}\u0000${write.index}`;
}

/** The parameters of `sql.writeLocks`: one array per column, one value per lock, in order. */
function lockColumns(writes: LockWrite[]): unknown[][] {
  const column = <T>(pick: (w: LockWrite) => T) => writes.map(pick);
  return [
    column((w) => w.eventId),
    column((w) => w.index),
    column((w) => w.seatVersion),
    column((w) => w.userId),
    column((w) => w.userVersion),
    column((w) => w.sale?.id ?? null),
    column((w) => w.sale?.version ?? null),
    column((w) => w.state),
    column((w) => w.snapshot),
    column((w) => w.lockedUntil),
    column((w) => w.holder),
    column((w) => w.liveUntil ?? null),
    column((w) => w.block),
    column((w) => w.shard),
    column((w) => w.locked),
    column((w) => w.booked),
    column((w) => w.payload ?? null),
  ];
}
