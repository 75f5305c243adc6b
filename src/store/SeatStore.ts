import type { SalesRequestType } from '../../machines/eventTypes';
import type { Clock } from '../clock';
import type { SalesGate, SalesRefusal } from '../SeatService';
import type {
  SeatContext,
  SeatMoveReason,
  SeatReply,
  SeatRequestEvent,
  SeatStateValue,
} from '../../machines/seatTypes';
import type { Layout } from '../layout/Layout';
import type { ClientLockQuota } from './ClientLockQuota';
import type { EventStores } from './EventStores';
import type { HoldStore } from './HoldStore';
import type { IdempotencyKeys } from '../idempotency/IdempotencyKeys';
import type { LockQuota } from './LockQuota';
import type { SeatSummary } from '../http/schemas';

/** A seat as a store knows it: its id, its machine state and context. */
export interface SeatRecord {
  id: string;
  state: SeatStateValue;
  context: SeatContext;
}

/** What happened when a request reached a seat's machine. */
export interface ApplyResult {
  /** The machine's reply; `undefined` when no transition handled the event (also a refusal). */
  reply: SeatReply | undefined;
  /** The seat after the event (unchanged when refused). */
  seat: SeatRecord;
}

/** One seat's part of a multi-seat step: the seat, and the request its machine is sent. */
export interface SeatRequest {
  id: string;
  event: SeatRequestEvent;
}

/** A seat whose machine refused its part of a multi-seat step, and why (the machine's reply). */
export interface RefusedSeat {
  id: string;
  reply: SeatReply | undefined;
  /** The seat as it is (nothing changed). */
  seat: SeatRecord;
}

/**
 * What a multi-seat step did: every seat changed (in the order asked), or none, and then every
 * seat whose machine refused is named with its reply.
 */
export type ApplyAllResult =
  { ok: true; seats: SeatRecord[] } | { ok: false; refused: RefusedSeat[] };

export interface ListQuery {
  /** Only seats in this state. */
  state?: SeatStateValue;
  /** Start after this seat id (exclusive); the caller has checked it exists. */
  after?: string;
  /** At most this many seats. */
  limit: number;
}

export interface SeatPage {
  seats: SeatRecord[];
  /** The id to pass as `after` for the next page, or `null` at the end. */
  next: string | null;
}

/** How many seats there are in each state: the `GET …/seats/summary` answer's schema. */
export type { SeatSummary };

/**
 * A change of a seat's state, expiries included, as the machine announced it (`seat.moved`): its
 * `reason` is `locked` (→ locked), `confirmed` (locked → booked), `released` or `expired` (a lapsed
 * lock, whether its timer fired or a request found it due), decided by the machine's action.
 */
export interface SeatTransition {
  id: string;
  from: SeatStateValue;
  to: SeatStateValue;
  /** ms since epoch, from the store's clock. */
  at: number;
  reason: SeatTransitionReason;
  /**
   * INTERNAL, never sent to clients: the user whose lock this transition took or ended. It feeds
   * the per-user lock cap; anything that publishes transitions must strip it.
   */
  userId: string;
  /**
   * INTERNAL: `false` when another instance made this transition and this one only heard of it
   * (PostgreSQL's NOTIFY reaches every instance); absent or `true` when this instance made it.
   * Counters meant to be summed over instances (metrics) count only their own.
   */
  local?: boolean;
}

export type SeatTransitionReason = SeatMoveReason;

/**
 * Where seats live. A store hosts each seat's machine and passes requests to it; it never decides
 * itself whether a request is allowed. Every method is async so a store may sit on a database.
 */
export interface SeatStore {
  /** The event's seats: ids, their order and where each is. */
  readonly venue: Layout;
  /**
   * The time requests to this store must be stamped with, when the store has its own (PostgreSQL:
   * the database's clock, shared by every instance). `createApp` uses it unless given a clock.
   */
  readonly clock?: Clock;
  /**
   * The box office's other events, kept where this store keeps its seats (PostgreSQL: the same
   * database, so every instance serves every event). Absent for a store of one process only:
   * `createApp` then keeps other events in this process's memory.
   */
  readonly events?: EventStores;
  /** Sends a user's request to seat `id` (which must exist) and reports the machine's reply. */
  apply(id: string, event: SeatRequestEvent): Promise<ApplyResult>;
  /**
   * Optional: {@link apply} after the event's sales window (`sales`, which can `judge` a record)
   * answered `request`, both asked in as few round trips as the store can (PostgreSQL: the event's
   * version checked in the seat's write). The sales window's refusal comes first, as when asked
   * apart.
   */
  applyAfterSales?(
    id: string,
    event: SeatRequestEvent,
    request: SalesRequestType,
    sales: SalesGate,
  ): Promise<ApplyResult | { sales: SalesRefusal }>;
  /**
   * Sends each request to its seat's machine, all or nothing: every machine answers before any
   * seat changes, and only when all accept are the changes made, together (no reader, on this or
   * another instance, sees some made and others not). Seat ids must exist and be distinct. The
   * rules stay the machine's: this only runs it on several seats as one step.
   */
  applyAll(requests: readonly SeatRequest[]): Promise<ApplyAllResult>;
  /** Seat `id` (which must exist). */
  get(id: string): Promise<SeatRecord>;
  list(query: ListQuery): Promise<SeatPage>;
  /**
   * The runs of available seats among indexes `[start, end)`, as `[first, afterLast)` index pairs
   * in order: what best available picks from. A hint, not a promise: the seats picked are then
   * held through their machines, atomically, and picked again if one was taken meanwhile.
   */
  availableRuns(start: number, end: number): Promise<Array<[number, number]>>;
  summary(): Promise<SeatSummary>;
  /**
   * The seats `userId` holds locked or has booked, in seat order (`GET /me/seats`), without
   * scanning the venue: from an index kept as seats move (memory) or an indexed query (PostgreSQL).
   */
  seatsOf(userId: string): Promise<SeatRecord[]>;
  /** Calls `listener` on every state change of any seat; returns the unsubscribe function. */
  subscribe(listener: (transition: SeatTransition) => void): () => void;
  /**
   * Calls `listener` when the store may have missed transitions made elsewhere (a shared store
   * whose notification connection was lost and is back): subscribers should reload what they show.
   * A store that cannot miss any (memory) says so by never calling it; every store answers, so a
   * shared store cannot forget it and leave event streams silently stale.
   */
  subscribeGaps(listener: () => void): () => void;
  /** Stops every actor and timer. */
  close(): Promise<void>;
  /**
   * Makes ready now what the first requests would otherwise wait for (PostgreSQL: opens its
   * connections); the server calls it before it listens.
   */
  warm?(): Promise<void>;
  /**
   * Resolves when the store can serve requests, rejects when it cannot (a database that is down).
   * `/readyz` calls it.
   */
  ping(): Promise<void>;
  /**
   * The per-user lock cap (`MAX_LOCKS_PER_USER`) kept where the seats are: a store shared by
   * several instances must hold it across them (a cap kept in one process would let each instance
   * admit `max`). Every store provides its own; nothing falls back to a per-process cap.
   */
  createLockQuota(max: number): LockQuota;
  /**
   * The per-client-address lock cap (`MAX_LOCKS_PER_CLIENT`), kept where the seats are for the
   * same reason. Every store provides its own.
   */
  createClientLockQuota(max: number): ClientLockQuota;
  /**
   * The key guest sessions are signed with when `SESSION_SECRET` is unset, kept where the seats are
   * so every instance sharing the store accepts every instance's sessions (PostgreSQL: generated
   * once, in a table). A store of one process answers `undefined`: the service then generates one
   * per process. Every store answers, so a shared store cannot forget it and have each instance
   * refuse the others' sessions.
   */
  sessionKey(): Promise<string | undefined>;
  /**
   * Where this store's multi-seat holds live, beside their seats, so a hold and its seats change
   * in one atomic step (PostgreSQL: one transaction, across instances). Every store provides its
   * own; there is no fallback.
   */
  createHolds(): HoldStore;
  /**
   * Where `Idempotency-Key`s live (`POST …/holds`, `…/confirm`): kept where the seats are, so a
   * retry reaching another instance of a shared store is answered the same. Every store provides
   * its own.
   */
  createIdempotencyKeys(): IdempotencyKeys;
}
