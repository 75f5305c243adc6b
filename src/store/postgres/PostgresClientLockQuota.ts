import type { PoolClient } from 'pg';
import { clientLocks } from '../../../machines/run/clientLocks';
import { restoreSeat, seatAt } from '../../../machines/run/stepSeat';
import { requestLocks } from '../../../machines/run/stepUserLocks';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import {
  lockTakenOn,
  type ClientLock,
  type ClientLockQuota,
  type ClientLockRefusal,
} from '../ClientLockQuota';
import { KeyedQueue } from '../KeyedQueue';
import type { SeatRecord } from '../SeatStore';
import type { Database } from './Database';
import { sql } from './sql';

export interface PostgresClientLockQuotaOptions {
  /**
   * Connections apart from the request pool and the per-user cap's (shared by every event's
   * client cap, closed by the store): an admission holds one (the address's lock) while the
   * per-user cap holds one of its pool and the seat's LOCK one of the request pool.
   */
  db: Database;
  /**
   * The event whose locks are counted: the cap counts per event, as `MAX_LOCKS_PER_USER` does
   * (it is that cap's guard against minting guest sessions), and keeps every transaction within
   * one event.
   */
  eventId: string;
  layout: Layout;
  /** Most locks taken from one address in the event that may be live at once. */
  max: number;
  clock: Pick<Clock, 'now'>;
}

type Admission<T> = { ok: true; value: T } | ({ ok: false } & ClientLockRefusal);

/** After this many admissions in a process, rows of locks past their deadline are deleted. */
const PRUNE_EVERY = 256;

/**
 * {@link ClientLockQuota} over PostgreSQL, so `MAX_LOCKS_PER_CLIENT` holds across every instance
 * sharing the database. A seat row does not say which address took its lock, so each admitted
 * lock leaves a row in `client_lock` (seat, lockId, address, deadline). The address's live locks
 * are its rows whose seat still holds that very lock before its deadline (a join: a released,
 * confirmed, expired or retaken lock stops counting the moment the seat row says so).
 *
 * Per request: take the address's lock (`pg_advisory_xact_lock` on its hash, in a transaction on
 * this quota's own connection), read its live locks, replay them into a fresh
 * `clientLocksMachine`, ask it; only if it agrees does `take` send the LOCK, and the lock's row is
 * written and committed before the address's lock is let go, so the next request from that
 * address, on any instance, counts it. An instance dying between the seat's commit and this one
 * leaves that one lock uncounted until it ends (never a lock refused wrongly).
 *
 * @example
 * ```ts
 * const quota = store.createClientLockQuota(30);
 * const result = await quota.admit('203.0.113.9', 'A1', () => lockA1());
 * if (!result.ok) console.log(result.code); // TOO_MANY_CLIENT_LOCKS
 * ```
 */
export class PostgresClientLockQuota implements ClientLockQuota {
  /** One address's requests in this process, one after the other (one connection between them). */
  private readonly queue = new KeyedQueue();
  private admissions = 0;

  constructor(private readonly options: PostgresClientLockQuotaOptions) {}

  admit(
    client: string,
    seatId: string,
    take: () => Promise<SeatRecord>,
  ): Promise<Admission<SeatRecord>> {
    return this.admitAll(client, [seatId], take, lockTakenOn(seatId));
  }

  admitAll<T>(
    client: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
    locksOf: (value: T) => readonly ClientLock[],
  ): Promise<Admission<T>> {
    if (++this.admissions % PRUNE_EVERY === 0) this.prune();
    return this.queue.run(client, () => this.admitAcrossInstances(client, seatIds, take, locksOf));
  }

  /** Its connections belong to the seat store, which closes them with its own. */
  async close(): Promise<void> {}

  private async admitAcrossInstances<T>(
    client: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
    locksOf: (value: T) => readonly ClientLock[],
  ): Promise<Admission<T>> {
    const { db, eventId, layout, max } = this.options;
    const connection = await db.connect();
    let open = true;
    try {
      await connection.query('BEGIN');
      await connection.query(sql.lockClient, [eventId, client]);
      const held = await this.liveLocksOf(connection, client);
      let snapshot = clientLocks.start(max);
      for (const seat of held)
        [snapshot] = clientLocks.step(snapshot, { type: 'LOCK_TAKEN', seatId: seat });
      const refusal = requestLocks(snapshot, seatIds, clientLocks);
      if (refusal) {
        return { ok: false, code: 'TOO_MANY_CLIENT_LOCKS', held: refusal.held, max: refusal.max };
      }
      const value = await take();
      for (const lock of locksOf(value)) {
        // The same lock retried from another address moves to that address.
        const row = [eventId, layout.indexOf(lock.seatId), lock.lockId, client, lock.until];
        await connection.query(sql.insertClientLock, row);
      }
      await connection.query('COMMIT');
      open = false;
      return { ok: true, value };
    } finally {
      // Ends the transaction (and the address's lock) if it is still open. A connection that
      // cannot even do that is thrown away, not handed to the next request.
      const broken = open
        ? await connection.query('ROLLBACK').then(
            () => undefined,
            (err: Error) => err,
          )
        : undefined;
      connection.release(broken);
    }
  }

  /**
   * The seats whose current lock was taken from `client` and still counts at now, by any
   * instance: SQL finds the rows; the seat machine (`seatAt`, the `EXPIRE{now}` step) says whether
   * the seat still holds that very lock (not released, confirmed, expired or retaken).
   */
  private async liveLocksOf(connection: PoolClient, client: string): Promise<string[]> {
    const { rows } = await connection.query<{ idx: number; lock_id: string; snapshot: unknown }>(
      sql.selectClientLocks,
      [this.options.eventId, client],
    );
    const now = this.options.clock.now();
    return rows
      .filter((row) => seatAt(restoreSeat(row.snapshot), now).context.lock?.lockId === row.lock_id)
      .map((row) => this.options.layout.idAt(row.idx));
  }

  /** Deletes rows of locks past their deadline (they count for nobody), without waiting. */
  private prune(): void {
    const { db, eventId, clock } = this.options;
    db.query(sql.deleteEndedClientLocks, [eventId, clock.now()], 'write').catch(() => undefined);
  }
}
