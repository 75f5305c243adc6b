import type { SeatRecord } from './SeatStore';

/** The client address's machine refused another lock. */
export interface ClientLockRefusal {
  code: 'TOO_MANY_CLIENT_LOCKS';
  /** Locks taken from this address that are live now (never shown to a client: others' too). */
  held: number;
  max: number;
}

/** A lock an admission took: its seat, its id (a hold's lock is named by the hold) and deadline. */
export interface ClientLock {
  seatId: string;
  lockId: string;
  /** The latest the lock can last (a hold's: the most its extensions can reach). */
  until: number;
}

/**
 * The lock a seat's admitted LOCK took, as {@link ClientLockQuota.admitAll}'s `locksOf`: `take`
 * resolved, so the seat machine accepted the LOCK and the lock in context is this one.
 *
 * @example
 * ```ts
 * quota.admitAll(client, ['A1'], lockA1, lockTakenOn('A1'));
 * ```
 */
export function lockTakenOn(seatId: string): (seat: SeatRecord) => ClientLock[] {
  return (seat) => {
    const lock = seat.context.lock;
    return lock ? [{ seatId, lockId: lock.lockId, until: lock.until }] : [];
  };
}

/**
 * The per-client-address cap on held locks (`MAX_LOCKS_PER_CLIENT`), decided by
 * `clientLocksMachine`: locks taken from one address, across every guest session it opened. The
 * seat service asks it before a counted caller's lock; an implementation keeps each address's
 * machine where the seats live, so a database-backed one holds the cap across instances.
 */
export interface ClientLockQuota {
  /**
   * Asks `client`'s machine (an address as `clientKey` counts it) for a lock on `seatId`. When it agrees, runs
   * `take` (which sends the LOCK to the seat), records the lock `take` returns as this address's,
   * and returns the seat; requests from one address never overlap between the question and
   * `take`. When it refuses, returns the refusal and never calls `take`.
   */
  admit(
    client: string,
    seatId: string,
    take: () => Promise<SeatRecord>,
  ): Promise<{ ok: true; value: SeatRecord } | ({ ok: false } & ClientLockRefusal)>;
  /**
   * {@link admit} for several seats at once (a multi-seat hold, or seats added to one): the
   * address's machine is asked for each seat as if the earlier ones were taken, and `take` runs
   * only if it agrees to all. `locksOf` names the locks `take`'s result took (none when the seats
   * refused), each recorded as this address's, so held seats count like locks.
   */
  admitAll<T>(
    client: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
    locksOf: (value: T) => readonly ClientLock[],
  ): Promise<{ ok: true; value: T } | ({ ok: false } & ClientLockRefusal)>;
  /** Stops listening to the store and lets go of any connection of its own. */
  close(): Promise<void>;
}
