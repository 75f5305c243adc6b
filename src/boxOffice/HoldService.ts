import type { z } from 'zod';
import { nanoid } from 'nanoid';
import type { SalesRequestType } from '../../machines/eventTypes';
import type { HoldLimits, HoldRefusalCode, HoldRequestEvent } from '../../machines/holdTypes';
import { restoreHold, stepHold } from '../../machines/run/stepHold';
import type { Clock } from '../clock';
import { HttpError } from '../http/HttpError';
import type { SalesGate, SeatView } from '../SeatService';
import { clockTime } from '../seatMessages';
import type { HoldOutcome, HoldRecord, HoldStore } from '../store/HoldStore';
import type { ClientLock, ClientLockQuota } from '../store/ClientLockQuota';
import type { LockQuota } from '../store/LockQuota';
import type { SeatStore } from '../store/SeatStore';
import { bestAvailableSeats, type BestQuery } from './bestAvailableSeats';
import type { bookingResponseSchema, holdViewSchema } from '../http/holdSchemas';

/** A hold as its owner sees it: the `Hold` schema's type. */
export type HoldView = z.infer<typeof holdViewSchema>;

/** A booking made from a hold: the `BookingEnvelope` schema's `booking`. */
export type BookingView = z.infer<typeof bookingResponseSchema>['booking'];

export interface HoldServiceOptions {
  eventId: string;
  /** The event's seats (venue, best available's free runs). */
  seats: SeatStore;
  holds: HoldStore;
  clock: Clock;
  /** Every hold's limits: the event's lock TTL, `HOLD_MAX_EXTENSIONS`, `HOLD_MAX_MS`, `MAX_SEATS_PER_HOLD`. */
  limits: HoldLimits;
  /** The per-user lock cap; a hold's seats count like locks. */
  quota?: LockQuota;
  /** The per-client-address lock cap (`MAX_LOCKS_PER_CLIENT`); a hold's seats count like locks. */
  clientQuota?: ClientLockQuota;
  /** The event's sales window, asked before every request. */
  sales?: SalesGate;
  /** Whether seat views say where each seat is (events made with `POST /events`). */
  places?: boolean;
}

/** How often best available picks again when the seats it picked were taken meanwhile. */
const PICK_ATTEMPTS = 8;

/** HTTP status of each refusal of the hold machine (its owner's view; others get 404). */
const HOLD_STATUS: Record<HoldRefusalCode, number> = {
  NOT_HOLD_OWNER: 404,
  NO_SEATS: 400,
  TOO_MANY_SEATS: 409,
  HOLD_EXPIRED: 409,
  EXTENSION_LIMIT: 409,
  HOLD_CONFIRMED: 409,
  HOLD_RELEASED: 409,
  SEAT_NOT_IN_HOLD: 404,
};

/**
 * What the hold routes call: turns a user's request into the hold machine's event (stamped with
 * the clock's `now`, a fresh hold or booking id), hands it to the hold store (which asks the hold's
 * machine and then, all or nothing, its seats'), and turns the machines' replies into answers or
 * {@link HttpError}s. It never checks a hold or seat rule itself.
 *
 * @example
 * ```ts
 * const holds = new HoldService({ eventId: 'default', seats: store, holds: store.createHolds(), clock, limits });
 * const hold = await holds.create('alice', ['A1', 'A2']);
 * await holds.confirm('alice', hold.id); // { id, holdId, seats, at }
 * ```
 */
export class HoldService {
  constructor(private readonly options: HoldServiceOptions) {}

  /**
   * Holds `seatIds` for `userId`, all or nothing. `client` is the address the seats count against
   * under `MAX_LOCKS_PER_CLIENT` (as for `SeatService.lock`), `undefined` for a caller it exempts.
   */
  async create(userId: string, seatIds: string[], client?: string): Promise<HoldView> {
    for (const id of seatIds) this.requireSeat(id);
    const now = this.options.clock.now();
    await this.askSales('REQUEST_LOCK', now);
    const outcome = await this.admit(userId, client, seatIds, () =>
      this.make(userId, seatIds, now),
    );
    return this.view(this.answer(outcome, 'CREATE'), userId, now);
  }

  /**
   * Best available: `count` adjacent seats picked from the free ones, then held atomically; if a
   * seat picked was taken in between, it picks again (never a partial hold).
   */
  async createBest(userId: string, query: BestQuery, client?: string): Promise<HoldView> {
    const now = this.options.clock.now();
    await this.askSales('REQUEST_LOCK', now);
    for (let attempt = 1; attempt <= PICK_ATTEMPTS; attempt++) {
      const picked = await bestAvailableSeats(this.options.seats, query);
      if (!picked) break;
      const outcome = await this.admit(userId, client, picked, () =>
        this.make(userId, picked, now),
      );
      if (!outcome.ok && outcome.refusedBy === 'seats') continue; // taken meanwhile: pick again
      return this.view(this.answer(outcome, 'CREATE'), userId, now);
    }
    const where = [
      query.section && `section ${query.section}`,
      query.category && `category ${query.category}`,
    ]
      .filter(Boolean)
      .join(', ');
    throw new HttpError(
      409,
      'NO_SEATS_TOGETHER',
      `There are no ${query.count} adjacent available seats in one row${where ? ` (${where})` : ''}; ask for fewer seats, or pick seats yourself.`,
    );
  }

  /** The hold, for its owner only (anyone else: 404). */
  async get(userId: string, holdId: string): Promise<HoldView> {
    const now = this.options.clock.now();
    const hold = await this.options.holds.get(holdId, now);
    if (!hold || hold.context.ownerId !== userId) throw notFound(holdId);
    return this.view(hold, userId, now);
  }

  async addSeats(
    userId: string,
    holdId: string,
    seatIds: string[],
    client?: string,
  ): Promise<HoldView> {
    for (const id of seatIds) this.requireSeat(id);
    const now = this.options.clock.now();
    await this.askSales('REQUEST_LOCK', now);
    const event: HoldRequestEvent = { type: 'ADD_SEATS', userId, seats: seatIds, now };
    const outcome = await this.admit(userId, client, seatIds, () =>
      this.options.holds.send(holdId, event),
    );
    return this.view(this.answer(outcome, 'ADD_SEATS', holdId), userId, now);
  }

  async removeSeat(userId: string, holdId: string, seatId: string): Promise<HoldView> {
    return this.request(holdId, 'REQUEST_RELEASE', (now) => ({
      type: 'REMOVE_SEAT',
      userId,
      seatId,
      now,
    }));
  }

  async extend(userId: string, holdId: string): Promise<HoldView> {
    return this.request(holdId, 'REQUEST_LOCK', (now) => ({ type: 'EXTEND', userId, now }));
  }

  async release(userId: string, holdId: string): Promise<HoldView> {
    return this.request(holdId, 'REQUEST_RELEASE', (now) => ({ type: 'RELEASE', userId, now }));
  }

  /** Books every seat of the hold in one step; a retry is answered with the same booking. */
  async confirm(userId: string, holdId: string): Promise<BookingView> {
    const hold = await this.request(holdId, 'REQUEST_CONFIRM', (now) => ({
      type: 'CONFIRM',
      userId,
      bookingId: `B_${nanoid(12)}`,
      now,
    }));
    const booking = (await this.options.holds.get(holdId, this.options.clock.now()))!.context
      .booking!;
    return { id: booking.id, holdId, seats: hold.seats, at: new Date(booking.at).toISOString() };
  }

  /** A request to an existing hold: the sales window, then the hold store. */
  private async request(
    holdId: string,
    sales: SalesRequestType,
    event: (now: number) => HoldRequestEvent,
  ): Promise<HoldView> {
    const now = this.options.clock.now();
    await this.askSales(sales, now);
    const sent = event(now);
    const outcome = await this.options.holds.send(holdId, sent);
    return this.view(this.answer(outcome, sent.type, holdId), sent.userId, now);
  }

  private make(userId: string, seats: string[], now: number): Promise<HoldOutcome> {
    const { holds, limits } = this.options;
    const id = `H_${nanoid(12)}`;
    return holds.create({ id, ...limits }, { type: 'CREATE', userId, seats, now });
  }

  /**
   * Asks the user's lock cap, then (for a counted `client`) the address's, for `seatIds` (held
   * seats count like locks), as `SeatService.lock` asks them for one seat; refusal: 409.
   */
  private async admit(
    userId: string,
    client: string | undefined,
    seatIds: string[],
    take: () => Promise<HoldOutcome>,
  ): Promise<HoldOutcome> {
    const { quota, clientQuota } = this.options;
    const takeCounted =
      clientQuota && client !== undefined
        ? () => this.admitClient(clientQuota, client, seatIds, take)
        : take;
    if (!quota) return takeCounted();
    const result = await quota.admitAll(userId, seatIds, takeCounted);
    if (result.ok) return result.value;
    throw new HttpError(
      409,
      result.code,
      `You hold ${result.held} seat locks already, and one user may hold at most ${result.max} (seats in holds count); confirm or release some before holding ${seatIds.length} more.`,
    );
  }

  /**
   * The address's cap: the seats the hold took are recorded as locks taken from `client` (named
   * by the hold, lasting at most as long as the hold can). The detail never says how many locks
   * the address holds: others may share it.
   */
  private async admitClient(
    quota: ClientLockQuota,
    client: string,
    seatIds: string[],
    take: () => Promise<HoldOutcome>,
  ): Promise<HoldOutcome> {
    const locksOf = (outcome: HoldOutcome): ClientLock[] => {
      if (!outcome.ok) return [];
      const { id, context } = outcome.hold;
      const until = Math.max(context.until, context.createdAt + context.maxMs);
      return seatIds.map((seatId) => ({ seatId, lockId: id, until }));
    };
    const result = await quota.admitAll(client, seatIds, take, locksOf);
    if (result.ok) return result.value;
    throw new HttpError(
      409,
      result.code,
      `Too many seats are locked or held from your network address at once (at most ${result.max}); confirm or release some of yours, or wait a few minutes, before holding ${seatIds.length} more.`,
    );
  }

  /** The accepted hold, or the machines' refusal as an {@link HttpError}. */
  private answer(
    outcome: HoldOutcome,
    request: HoldRequestEvent['type'],
    holdId?: string,
  ): HoldRecord {
    if (outcome.ok) return outcome.hold;
    if (outcome.refusedBy === 'missing') throw notFound(holdId ?? '');
    if (outcome.refusedBy === 'seats') {
      const seats = outcome.refused.map(({ id, reply }) => ({
        id,
        code: reply?.type === 'seat.refused' ? reply.code : 'TRANSITION_REFUSED',
      }));
      const list = seats.map(({ id, code }) => `${id} (${code})`).join(', ');
      throw new HttpError(
        409,
        'SEATS_UNAVAILABLE',
        `Nothing was held: ${seats.length === 1 ? 'this seat is' : 'these seats are'} not available to you: ${list}; choose other seats.`,
        {},
        { seats },
      );
    }
    const code = outcome.reply?.type === 'hold.refused' ? outcome.reply.code : undefined;
    if (!code || code === 'NOT_HOLD_OWNER') throw notFound(outcome.hold.id);
    throw new HttpError(HOLD_STATUS[code], code, holdDetail(code, outcome.hold, request));
  }

  private view(hold: HoldRecord, userId: string, now: number): HoldView {
    const { id, context, state } = hold;
    const expiresAt = new Date(context.until).toISOString();
    const seatState = state === 'open' ? 'locked' : state === 'confirmed' ? 'booked' : 'available';
    const seats = context.seats.map((seatId) => ({
      ...this.place(seatId),
      id: seatId,
      state: seatState,
      ...(state === 'open' ? { expiresAt } : {}),
    })) as SeatView[];
    return {
      id,
      eventId: this.options.eventId,
      state: state as HoldView['state'],
      seats,
      expiresAt,
      extensionsLeft: this.extensionsLeft(hold, userId, now),
    };
  }

  /** How many extensions the machine would still accept: none when it refuses one now. */
  private extensionsLeft(hold: HoldRecord, userId: string, now: number): number {
    if (hold.state !== 'open') return 0;
    const asIs = restoreHold({ value: hold.state, context: hold.context });
    const { reply } = stepHold(asIs, { type: 'EXTEND', userId, now });
    if (reply?.type !== 'hold.accepted') return 0;
    return hold.context.maxExtensions - hold.context.extensionsUsed;
  }

  private place(seatId: string): Partial<SeatView> {
    if (!this.options.places) return {};
    const { venue } = this.options.seats;
    const index = venue.indexOf(seatId);
    return index === undefined ? {} : venue.placeAt(index);
  }

  private async askSales(request: SalesRequestType, now: number): Promise<void> {
    const refusal = await this.options.sales?.(request, now);
    if (refusal) throw new HttpError(409, refusal.code, refusal.detail);
  }

  private requireSeat(id: string): void {
    if (!this.options.seats.venue.has(id)) {
      const shown = JSON.stringify(id.length > 40 ? id.slice(0, 40) + '…' : id);
      throw new HttpError(
        404,
        'SEAT_NOT_FOUND',
        `There is no seat ${shown} in this venue; GET /seats lists them.`,
      );
    }
  }
}

function notFound(holdId: string): HttpError {
  const shown = JSON.stringify(holdId.length > 40 ? holdId.slice(0, 40) + '…' : holdId);
  return new HttpError(
    404,
    'HOLD_NOT_FOUND',
    `You have no hold ${shown}; POST …/holds makes one (a hold is only visible to its owner).`,
  );
}

/** The sentence for a refusal of the hold machine: says what to do next. */
function holdDetail(
  code: HoldRefusalCode,
  hold: HoldRecord,
  request: HoldRequestEvent['type'],
): string {
  const { id, until, maxSeats, maxExtensions } = hold.context;
  switch (code) {
    case 'NO_SEATS':
      return 'Name at least one seat, each seat once (and none the hold has already).';
    case 'TOO_MANY_SEATS':
      return `A hold has at most ${maxSeats} seats; make another hold for the rest.`;
    case 'HOLD_EXPIRED':
      return `Hold ${id} expired at ${clockTime(until)} and its seats are free again; make a new hold.`;
    case 'EXTENSION_LIMIT':
      return `Hold ${id} cannot be extended again (at most ${maxExtensions} extensions, and never past its maximum length); book it before ${clockTime(until)}.`;
    case 'HOLD_CONFIRMED':
      return `Hold ${id} is booked already; it can no longer change.`;
    case 'HOLD_RELEASED':
      return `Hold ${id} was released; make a new hold.`;
    case 'SEAT_NOT_IN_HOLD':
      return `That seat is not in hold ${id}; GET the hold to see its seats.`;
    default:
      return `Hold ${id} cannot take this request (${request}) now.`;
  }
}
