import type { SeatRecord } from './SeatStore';

/** The client address's machine refused another lock. */
export interface ClientLockRefusal {
  code: 'TOO_MANY_CLIENT_LOCKS';
  /** Locks taken from this address that are live now (never shown to a client: others' too). */
  held: number;
  max: number;
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
  /** Stops listening to the store and lets go of any connection of its own. */
  close(): Promise<void>;
}
