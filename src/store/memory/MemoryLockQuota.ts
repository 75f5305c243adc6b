import type { UserLocksEvent, UserLocksReply } from '../../../machines/userLocksMachine';
import { KeyedQueue } from '../KeyedQueue';
import type { LockQuota, LockQuotaRefusal } from '../LockQuota';
import type { SeatStore, SeatTransition } from '../SeatStore';
import {
  requestLocks,
  stepUserLocks,
  userLocksFact,
  userLocksStart,
  type UserLocksSnapshot,
} from '../../../machines/run/stepUserLocks';

interface UserEntry {
  snapshot: UserLocksSnapshot;
}

/**
 * {@link LockQuota} for one process: one `userLocksMachine` snapshot per user, stepped with xstate's
 * pure step of the machine and fed by the store's transitions (which carry the lock holder). A user who
 * holds nothing and asks nothing has no entry. Over PostgreSQL, `PostgresLockQuota` rebuilds the
 * same machine from the database instead, so the cap holds across instances.
 *
 * @example
 * ```ts
 * const quota = new MemoryLockQuota(store, 10);
 * const result = await quota.admit('alice', 'A1', () => store.apply('A1', lockEvent));
 * if (!result.ok) console.log(result.code); // TOO_MANY_LOCKS
 * ```
 */
export class MemoryLockQuota implements LockQuota {
  private readonly users = new Map<string, UserEntry>();
  /** One user's lock requests, one after the other (see {@link LockQuota.admit}). */
  private readonly queue = new KeyedQueue();
  private readonly unsubscribe: () => void;

  constructor(
    store: SeatStore,
    private readonly max: number,
  ) {
    this.unsubscribe = store.subscribe((t) => this.onTransition(t));
  }

  admit<T>(
    userId: string,
    seatId: string,
    take: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | ({ ok: false } & LockQuotaRefusal)> {
    return this.admitAll(userId, [seatId], take);
  }

  async admitAll<T>(
    userId: string,
    seatIds: readonly string[],
    take: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | ({ ok: false } & LockQuotaRefusal)> {
    try {
      return await this.queue.run(userId, async () => {
        const entry = this.entry(userId);
        const refusal = requestLocks(entry.snapshot, seatIds);
        if (refusal) {
          const held = entry.snapshot.context.held.length;
          return { ok: false as const, code: 'TOO_MANY_LOCKS' as const, held, max: refusal.max };
        }
        return { ok: true as const, value: await take() };
      });
    } finally {
      const entry = this.users.get(userId);
      if (entry) this.forgetIfIdle(userId, entry);
    }
  }

  close(): void {
    this.unsubscribe();
  }

  /** Seats `userId` holds a lock on, as their machine counts them (for tests). */
  heldBy(userId: string): string[] {
    return this.users.get(userId)?.snapshot.context.held ?? [];
  }

  private onTransition({ id, reason, userId }: SeatTransition): void {
    const entry = this.entry(userId);
    this.send(entry, userLocksFact(id, reason));
    this.forgetIfIdle(userId, entry);
  }

  private entry(userId: string): UserEntry {
    let entry = this.users.get(userId);
    if (!entry) {
      entry = { snapshot: userLocksStart(this.max) };
      this.users.set(userId, entry);
    }
    return entry;
  }

  /** Steps the user's machine; returns the reply it emitted, if any. */
  private send(entry: UserEntry, event: UserLocksEvent): UserLocksReply | undefined {
    const [next, reply] = stepUserLocks(entry.snapshot, event);
    entry.snapshot = next;
    return reply;
  }

  private forgetIfIdle(userId: string, entry: UserEntry): void {
    if (!this.queue.busy(userId) && entry.snapshot.context.held.length === 0) {
      if (this.users.get(userId) === entry) this.users.delete(userId);
    }
  }
}
