import type { SeatRequestEvent } from '../../machines/seatTypes';
import type { SalesGate, SalesRefusal } from '../SeatService';
import type { ApplyResult } from './SeatStore';

/** The user's machine refused another lock. */
export interface LockQuotaRefusal {
  code: 'TOO_MANY_LOCKS';
  /** Locks the user holds now. */
  held: number;
  max: number;
}

/**
 * The per-user cap on held locks (`MAX_LOCKS_PER_USER`), decided by `userLocksMachine`. The seat
 * service asks it before every lock; an implementation keeps each user's machine where its seats
 * live, so a database-backed one holds the cap across every instance of the service.
 */
export interface LockQuota {
  /**
   * Asks `userId`'s machine for a lock on `seatId`. When it agrees, runs `take` (which sends the
   * LOCK to the seat) and returns its result; requests of one user never overlap between the
   * question and `take`, so two concurrent locks cannot both take the last place. When it refuses,
   * returns the refusal and never calls `take`.
   */
  admit<T>(
    userId: string,
    seatId: string,
    take: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | ({ ok: false } & LockQuotaRefusal)>;
  /**
   * {@link admit} for several seats at once (a multi-seat hold): the user's machine is asked for
   * each seat in turn as if the earlier ones were taken, and `take` runs only if it agrees to all.
   * Held seats count like locks (a hold's seat locks name its owner).
   */
  admitAll<T>(
    userId: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | ({ ok: false } & LockQuotaRefusal)>;
  /**
   * Optional: one LOCK with the cap, the sales window (when `sales` can `judge` a record) and the
   * seat asked together, in as few round trips as the store can (PostgreSQL: one read, one write
   * that commits). The same machines decide in the same order: the user's, the event's, the
   * seat's; the first refusal is the answer.
   */
  lockSeat?(
    userId: string,
    seatId: string,
    event: Extract<SeatRequestEvent, { type: 'LOCK' }>,
    sales?: SalesGate,
  ): Promise<
    { ok: true; value: ApplyResult | { sales: SalesRefusal } } | ({ ok: false } & LockQuotaRefusal)
  >;
  /** Stops listening to the store. */
  close(): void;
}
