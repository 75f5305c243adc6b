import { clientLocks } from '../../../machines/run/clientLocks';
import type { LockCapSnapshot } from '../../../machines/run/lockCapRunner';
import { requestLocks, userLocksFact } from '../../../machines/run/stepUserLocks';
import type { UserLocksEvent, UserLocksReply } from '../../../machines/userLocksMachine';
import {
  lockTakenOn,
  type ClientLock,
  type ClientLockQuota,
  type ClientLockRefusal,
} from '../ClientLockQuota';
import { KeyedQueue } from '../KeyedQueue';
import type { SeatRecord, SeatStore, SeatTransition } from '../SeatStore';

type Admission<T> = { ok: true; value: T } | ({ ok: false } & ClientLockRefusal);

/**
 * {@link ClientLockQuota} for one process: one `clientLocksMachine` snapshot per client address,
 * and which address took each locked seat's lock. A seat's transitions do not say from where its
 * lock was taken, so this remembers it when it admits the lock, and tells that address's machine
 * `LOCK_ENDED` when the seat's move ends that lock (confirm, release, expiry). An address that holds
 * nothing and asks nothing has no entry.
 *
 * @example
 * ```ts
 * const quota = new MemoryClientLockQuota(store, 30);
 * const result = await quota.admit('203.0.113.9', 'A1', () => lockA1());
 * if (!result.ok) console.log(result.code); // TOO_MANY_CLIENT_LOCKS
 * ```
 */
export class MemoryClientLockQuota implements ClientLockQuota {
  private readonly clients = new Map<string, LockCapSnapshot>();
  /** The address each currently locked seat's lock was taken from (admitted here). */
  private readonly takenFrom = new Map<string, string>();
  /** One address's lock requests, one after the other. */
  private readonly queue = new KeyedQueue();
  private readonly unsubscribe: () => void;

  constructor(
    store: Pick<SeatStore, 'subscribe'>,
    private readonly max: number,
  ) {
    this.unsubscribe = store.subscribe((t) => this.onTransition(t));
  }

  admit(
    client: string,
    seatId: string,
    take: () => Promise<SeatRecord>,
  ): Promise<Admission<SeatRecord>> {
    return this.admitAll(client, [seatId], take, lockTakenOn(seatId));
  }

  async admitAll<T>(
    client: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
    locksOf: (value: T) => readonly ClientLock[],
  ): Promise<Admission<T>> {
    try {
      return await this.queue.run(client, async () => {
        const snapshot = this.clients.get(client) ?? clientLocks.start(this.max);
        const refusal = requestLocks(snapshot, seatIds, clientLocks);
        if (refusal) {
          const { held, max } = refusal;
          return { ok: false as const, code: 'TOO_MANY_CLIENT_LOCKS' as const, held, max };
        }
        const value = await take();
        for (const { seatId } of locksOf(value)) this.taken(client, seatId);
        return { ok: true as const, value };
      });
    } finally {
      this.forgetIfIdle(client);
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
  }

  /** Seats locked from `client` right now, as its machine counts them (for tests). */
  heldBy(client: string): string[] {
    return this.clients.get(client)?.context.held ?? [];
  }

  private taken(client: string, seatId: string): void {
    // The same user retrying its lock from another address moves the lock to that address.
    const before = this.takenFrom.get(seatId);
    if (before !== undefined && before !== client) this.ended(seatId);
    this.takenFrom.set(seatId, client);
    this.send(client, { type: 'LOCK_TAKEN', seatId });
  }

  /** What the move means to a lock-cap machine is the machine's reason's call (`userLocksFact`). */
  private onTransition({ id, reason }: SeatTransition): void {
    if (userLocksFact(id, reason).type === 'LOCK_ENDED') this.ended(id);
  }

  private ended(seatId: string): void {
    const client = this.takenFrom.get(seatId);
    if (client === undefined) return;
    this.takenFrom.delete(seatId);
    this.send(client, { type: 'LOCK_ENDED', seatId });
    this.forgetIfIdle(client);
  }

  /** Steps the address's machine; returns the reply it emitted, if any. */
  private send(client: string, event: UserLocksEvent): UserLocksReply | undefined {
    const [next, reply] = clientLocks.step(
      this.clients.get(client) ?? clientLocks.start(this.max),
      event,
    );
    this.clients.set(client, next);
    return reply;
  }

  private forgetIfIdle(client: string): void {
    const snapshot = this.clients.get(client);
    if (snapshot && !this.queue.busy(client) && snapshot.context.held.length === 0) {
      this.clients.delete(client);
    }
  }
}
