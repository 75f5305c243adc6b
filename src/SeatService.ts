import { nanoid } from 'nanoid';
import type { SalesRequestType } from '../machines/eventTypes';
import type { SeatRequestEvent } from '../machines/seatTypes';
import type { Clock } from './clock';
import { HttpError } from './http/HttpError';
import { refusalDetail, clockTime } from './seatMessages';
import type { ClientLockQuota } from './store/ClientLockQuota';
import type { EventRecord } from './store/EventRegistry';
import type { LockQuota } from './store/LockQuota';
import type { LockResponse, SeatResponse, SeatView } from './http/schemas';
import type { ApplyResult, ListQuery, SeatRecord, SeatStore, SeatSummary } from './store/SeatStore';

// What the service answers is what the routes document: the types are the zod schemas' (a seat
// as clients see it never names who holds a lock, nor its lockId).
export type { LockResponse, SeatResponse, SeatView };

/** A seat its holder sees: the seat, and the lock's id to confirm or release it with. */
export interface HeldSeat extends SeatView {
  lockId: string;
}

/**
 * What the routes call: turns a user's request into the seat machine's event (stamped with a fresh
 * lockId and the clock's `now`), hands it to the store, and turns the machine's reply into a
 * response or an {@link HttpError} 409. It never checks a seat rule itself.
 *
 * @example
 * ```ts
 * const service = new SeatService(store, systemClock);
 * const { lockId } = await service.lock('B4', 'alice');
 * await service.confirm('B4', 'alice', lockId);
 * ```
 */
export class SeatService {
  private readonly refusalListeners = new Set<(code: string) => void>();

  constructor(
    readonly store: SeatStore,
    private readonly clock: Clock,
    /** The per-user lock cap; without it a user may hold any number of locks. */
    private readonly quota?: LockQuota,
    /** The event's sales window, asked before every request; without it sales are always open. */
    private readonly sales?: SalesGate,
    /**
     * Whether seat answers say where the seat is (section, row, number, category): yes for events
     * made with `POST /events`; the default event keeps today's answers exactly, for old clients.
     */
    private readonly places = false,
    /** The per-client-address lock cap; without it an address may hold any number of locks. */
    private readonly clientQuota?: ClientLockQuota,
  ) {}

  /** Calls `listener` with the code of every refused request (seat or user machine). */
  onRefusal(listener: (code: string) => void): () => void {
    this.refusalListeners.add(listener);
    return () => this.refusalListeners.delete(listener);
  }

  async get(id: string): Promise<SeatView> {
    this.requireSeat(id);
    return this.view(await this.store.get(id));
  }

  async list(query: ListQuery): Promise<{ seats: SeatView[]; next: string | null }> {
    if (query.after !== undefined) this.requireSeat(query.after);
    const page = await this.store.list(query);
    return { seats: page.seats.map((seat) => this.view(seat)), next: page.next };
  }

  summary(): Promise<SeatSummary> {
    return this.store.summary();
  }

  /**
   * The seats `userId` holds (with the lock's id and deadline, so a client can confirm after a
   * reload) and has booked, in seat order. Only the user's own: the store is asked by user.
   */
  async seatsOf(userId: string): Promise<{ held: HeldSeat[]; booked: SeatView[] }> {
    const held: HeldSeat[] = [];
    const booked: SeatView[] = [];
    for (const seat of await this.store.seatsOf(userId)) {
      const lock = seat.context.lock;
      if (seat.state === 'locked' && lock?.userId === userId) {
        held.push({ ...this.view(seat), lockId: lock.lockId });
      } else if (seat.state === 'booked' && seat.context.booking?.userId === userId) {
        booked.push(this.view(seat));
      }
    }
    return { held, booked };
  }

  /**
   * Locks seat `id` for `userId`. `client` is the address the lock counts against for
   * `MAX_LOCKS_PER_CLIENT` (a `clientKey`), or `undefined` for a caller the per-client cap does
   * not count (a backend with an API key, a box office's own user).
   */
  async lock(id: string, userId: string, client?: string): Promise<LockResponse> {
    this.requireSeat(id);
    const clientQuota = client === undefined ? undefined : this.clientQuota;
    const seat =
      this.quota?.lockSeat && !clientQuota && (!this.sales || this.sales.judge)
        ? await this.lockInOneGo(this.quota, id, userId)
        : await this.lockStepByStep(id, userId, clientQuota, client);
    const lock = seat.context.lock!;
    const expiresAt = new Date(lock.until).toISOString();
    return {
      message: `Seat ${id} is locked for you until ${clockTime(lock.until)}; confirm it before then.`,
      seat: this.view(seat),
      lockId: lock.lockId,
      expiresAt,
    };
  }

  async confirm(id: string, userId: string, lockId?: string): Promise<SeatResponse> {
    const seat = await this.send(id, { type: 'CONFIRM', userId, lockId, now: this.clock.now() });
    return { message: `Seat ${id} is booked for you.`, seat: this.view(seat) };
  }

  async release(id: string, userId: string, lockId?: string): Promise<SeatResponse> {
    const seat = await this.send(id, { type: 'RELEASE', userId, lockId, now: this.clock.now() });
    return { message: `Seat ${id} is released and available again.`, seat: this.view(seat) };
  }

  /**
   * The lock cap, the sales window and the seat asked by the store in as few round trips as it can
   * (PostgreSQL: one read of all three, one write that commits); each machine decides as ever.
   */
  private async lockInOneGo(quota: LockQuota, id: string, userId: string): Promise<SeatRecord> {
    const event = { type: 'LOCK', userId, lockId: nanoid(), now: this.clock.now() } as const;
    const result = await quota.lockSeat!(userId, id, event, this.sales);
    if (!result.ok) throw this.refused(result.code, tooManyLocks(result.held, result.max, id));
    if ('sales' in result.value) {
      throw this.refused(result.value.sales.code, result.value.sales.detail);
    }
    return this.answer(event, result.value);
  }

  /** The user's cap, then the client's, then the sales window, then the seat, each in turn. */
  private lockStepByStep(
    id: string,
    userId: string,
    clientQuota: ClientLockQuota | undefined,
    client?: string,
  ): Promise<SeatRecord> {
    const send = () =>
      this.send(id, { type: 'LOCK', userId, lockId: nanoid(), now: this.clock.now() });
    const take = clientQuota ? () => this.admitClient(clientQuota, id, client!, send) : send;
    return this.quota ? this.admit(this.quota, id, userId, take) : take();
  }

  /** Asks the user's machine first; its refusal becomes a 409 `TOO_MANY_LOCKS`. */
  private async admit(
    quota: LockQuota,
    id: string,
    userId: string,
    take: () => Promise<SeatRecord>,
  ): Promise<SeatRecord> {
    const result = await quota.admit(userId, id, take);
    if (result.ok) return result.value;
    throw this.refused(result.code, tooManyLocks(result.held, result.max, id));
  }

  /**
   * Asks the client address's machine; its refusal becomes a 409 `TOO_MANY_CLIENT_LOCKS`. The
   * detail never says how many locks the address holds: other people may share it (a household,
   * an office, a mobile carrier's NAT), and their locks are not this caller's business.
   */
  private async admitClient(
    quota: ClientLockQuota,
    id: string,
    client: string,
    take: () => Promise<SeatRecord>,
  ): Promise<SeatRecord> {
    const result = await quota.admit(client, id, take);
    if (result.ok) return result.value;
    throw this.refused(
      result.code,
      `Too many seats are locked from your network address at once (at most ${result.max}); confirm or release one of yours, or wait a few minutes, before locking seat ${id}.`,
    );
  }

  private refused(code: string, detail: string): HttpError {
    for (const listener of this.refusalListeners) listener(code);
    return new HttpError(409, code, detail);
  }

  /** Sends the event to the seat's machine; a refusal becomes a 409 with the machine's code. */
  private async send(id: string, event: SeatRequestEvent): Promise<SeatRecord> {
    this.requireSeat(id);
    // Only a service with a sales window awaits it: an await costs a turn of the event loop, in
    // which other requests move on (the scheduled-race tests drive exactly those turns).
    if (this.sales?.judge && this.store.applyAfterSales) {
      const result = await this.store.applyAfterSales(
        id,
        event,
        SALES_REQUEST[event.type],
        this.sales,
      );
      if ('sales' in result) throw this.refused(result.sales.code, result.sales.detail);
      return this.answer(event, result);
    }
    if (this.sales) {
      const refusal = await this.sales(SALES_REQUEST[event.type], event.now);
      if (refusal) throw this.refused(refusal.code, refusal.detail);
    }
    return this.answer(event, await this.store.apply(id, event));
  }

  /** The seat when its machine accepted `event`; its refusal becomes a 409 with the machine's code. */
  private answer(event: SeatRequestEvent, { reply, seat }: ApplyResult): SeatRecord {
    if (reply?.type === 'seat.accepted') return seat;
    throw this.refused(reply?.code ?? 'TRANSITION_REFUSED', refusalDetail(reply, seat, event));
  }

  /** The public view of a seat, with where it is in the layout. */
  private view(seat: SeatRecord): SeatView {
    if (!this.places) return toView(seat);
    const index = this.store.venue.indexOf(seat.id);
    const place = index === undefined ? {} : this.store.venue.placeAt(index);
    return { ...toView(seat), ...place };
  }

  private requireSeat(id: string): void {
    if (!this.store.venue.has(id)) {
      throw new HttpError(
        404,
        'SEAT_NOT_FOUND',
        `There is no seat ${printable(id)} in this venue; GET /seats lists them.`,
      );
    }
  }
}

/** The public view of a seat record. */
export function toView({ id, state, context }: SeatRecord): SeatView {
  if (context.lock) {
    return { id, state, expiresAt: new Date(context.lock.until).toISOString() };
  }
  return { id, state };
}

/** The question each seat request puts to the event's sales window. */
const SALES_REQUEST = {
  LOCK: 'REQUEST_LOCK',
  CONFIRM: 'REQUEST_CONFIRM',
  RELEASE: 'REQUEST_RELEASE',
  // A hold takes seats like a lock does; an extension takes more time, so it needs sales open too.
  HOLD: 'REQUEST_LOCK',
  EXTEND: 'REQUEST_LOCK',
} as const satisfies Record<SeatRequestEvent['type'], SalesRequestType>;

/** A sales window's refusal: the machine's code and the sentence for it. */
export interface SalesRefusal {
  code: string;
  detail: string;
}

/**
 * Asks an event's sales window (the event machine) whether a seat request may go ahead at `now`:
 * resolves with the machine's refusal code and the sentence for it, or `undefined` to go ahead.
 * A gate may also say which event it asks about and `judge` a record read elsewhere, so a store
 * can read the event's row in the same round trip as the seat's (the machine still decides).
 */
export type SalesGate = ((
  request: SalesRequestType,
  now: number,
) => Promise<SalesRefusal | undefined>) & {
  readonly eventId?: string;
  /** Resolves once the event's record can be read (the default event's is written at start-up). */
  readonly ready?: () => Promise<void>;
  /** The sales machine's answer on `record` (none: the event does not exist). */
  readonly judge?: (
    record: EventRecord | undefined,
    request: SalesRequestType,
    now: number,
  ) => SalesRefusal | undefined;
};

/** The detail of a `TOO_MANY_LOCKS` refusal. */
function tooManyLocks(held: number, max: number, id: string): string {
  return `You already hold ${held} seat locks, the most one user may hold at once (${max}); confirm or release one before locking seat ${id}.`;
}

/** A client-supplied id, cut short and stripped of control characters, safe to echo back. */
function printable(id: string): string {
  const clean = JSON.stringify(id.length > 40 ? id.slice(0, 40) + '…' : id);
  return clean;
}
