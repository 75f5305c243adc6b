import type { PoolClient } from 'pg';
import type { Database } from './Database';
import { toStoreError } from './Database';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { LockQuota, LockQuotaRefusal } from '../LockQuota';
import { requestLocks, stepUserLocks, userLocksStart } from '../../../machines/run/stepUserLocks';
import { holdsLiveLock, restoreSeat } from '../../../machines/run/stepSeat';
import { KeyedQueue } from '../KeyedQueue';
import { PipelinedLock, type PipelinedLockOptions } from './PipelinedLock';
import { sql } from './sql';

export interface PostgresLockQuotaOptions {
  /**
   * Connections for the per-user locks; never the seat store's request pool (each admission
   * holds one of these while the seat's LOCK takes one of those).
   */
  db: Database;
  /** The event whose locks are counted: the cap counts per event (`MAX_LOCKS_PER_USER`). */
  eventId: string;
  /** The event's layout, to name seats by id. */
  layout: Layout;
  /** Most locks one user may hold at once in the event. */
  max: number;
  /** The time the seat machine judges each lock's deadline by. */
  clock: Pick<Clock, 'now'>;
  /**
   * The event's seats as its store writes them: given, a LOCK asked through {@link lockSeat}
   * takes one round trip and one commit on the common path (see {@link PipelinedLock}).
   */
  seats?: Pick<PipelinedLockOptions, 'initial' | 'channel' | 'rows' | 'events'>;
}

type Admission<T> = { ok: true; value: T } | ({ ok: false } & LockQuotaRefusal);

/**
 * {@link LockQuota} over the PostgreSQL seats table, so `MAX_LOCKS_PER_USER` holds across every
 * instance sharing the database. For each lock request it bumps the user's `user_locks` version
 * (in a transaction of its own connection, whose row lock makes the user's requests take turns
 * and tells every process's cached view of the user's locks that it is stale), reads
 * the seats naming the user as lock holder, keeps those whose lock the seat machine says still
 * counts, replays them into a fresh `userLocksMachine` with xstate's pure `transition`, and asks
 * it. Only if the machine agrees does `take` send the LOCK to the seat (the
 * seat store's own compare-and-set, unchanged), and only after that commits is the bump committed
 * and the user's row let go: the next request of that user, on any instance, already sees the new
 * lock. A refusal rolls the bump back.
 *
 * An instance that dies holding a user's lock loses its connection, which ends the transaction
 * and frees the lock. Requests of one user in one process queue here first, so they hold at most
 * one connection at a time between them.
 *
 * @example
 * ```ts
 * const quota = store.createLockQuota(10); // a PostgresLockQuota on the store's database
 * const result = await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent));
 * if (!result.ok) console.log(result.code, result.held); // TOO_MANY_LOCKS 10
 * ```
 */
export class PostgresLockQuota implements LockQuota {
  /** One user's requests in this process, one after the other. */
  private readonly queue = new KeyedQueue();
  private readonly pipelined: PipelinedLock | undefined;

  constructor(private readonly options: PostgresLockQuotaOptions) {
    const { seats } = options;
    this.pipelined = seats && new PipelinedLock({ ...options, ...seats });
    if (!this.pipelined) this.lockSeat = undefined;
  }

  /**
   * A LOCK with this cap and the sales window asked in the same transaction as the seat's
   * compare-and-set: one round trip and one commit on the common path, two otherwise (see
   * {@link PipelinedLock}). Requests of one user in this process still take turns.
   */
  lockSeat?: NonNullable<LockQuota['lockSeat']> = (userId, seatId, event, sales) =>
    this.queue.run(userId, () => this.pipelined!.lock(userId, seatId, event, sales));

  admit<T>(userId: string, seatId: string, take: () => Promise<T>): Promise<Admission<T>> {
    return this.admitAll(userId, [seatId], take);
  }

  admitAll<T>(
    userId: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
  ): Promise<Admission<T>> {
    return this.queue.run(userId, () => this.admitAcrossInstances(userId, seatIds, take));
  }

  /** Its connections belong to the seat store, which closes them with its own. */
  close(): void {}

  private async admitAcrossInstances<T>(
    userId: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
  ): Promise<Admission<T>> {
    const { db, eventId } = this.options;
    const client = await db.connect();
    // Whether `take` ran: then the bump must commit, whatever `take` answered.
    let took = false;
    try {
      let held: string[];
      try {
        await client.query('BEGIN');
        await client.query(sql.bumpUserLocks, [eventId, userId]);
        held = await this.heldBy(client, userId);
      } catch (err) {
        // Nothing was taken yet: a lost connection here changed nothing.
        throw toStoreError(err, 'not-applied');
      }
      let snapshot = userLocksStart(this.options.max);
      for (const seat of held) {
        [snapshot] = stepUserLocks(snapshot, { type: 'LOCK_TAKEN', seatId: seat });
      }
      const refusal = requestLocks(snapshot, seatIds);
      if (refusal)
        return { ok: false, code: 'TOO_MANY_LOCKS', held: held.length, max: refusal.max };
      took = true;
      return { ok: true, value: await take() };
    } finally {
      // Ends the transaction, which lets go of the user's row: a refusal undoes the bump, a lock
      // (or a `take` that may have locked) commits it. A connection that cannot even do that is
      // thrown away rather than handed to the next request; a bump lost with it is made again on
      // its own, so that no process goes on trusting the user's locks it saw before this one.
      const broken = await client.query(took ? 'COMMIT' : 'ROLLBACK').then(
        () => undefined,
        (err: Error) => err,
      );
      client.release(broken);
      if (took && broken) await db.query(sql.bumpUserLocks, [eventId, userId], 'write');
    }
  }

  /**
   * Seats `userId` holds a lock on that still counts, by any instance. SQL only finds the rows
   * naming the user as holder; whether each lock still counts (its deadline) is the seat machine's
   * call, on the row's snapshot, so a lock the sweeper has not expired yet is not counted.
   */
  private async heldBy(client: PoolClient, userId: string): Promise<string[]> {
    const { rows } = await client.query<{ idx: number; snapshot: unknown }>(sql.selectLocksOf, [
      this.options.eventId,
      userId,
    ]);
    const now = this.options.clock.now();
    return rows
      .filter((row) => holdsLiveLock(restoreSeat(row.snapshot), userId, now))
      .map((row) => this.options.layout.idAt(row.idx));
  }
}
