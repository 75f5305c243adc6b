import type { z } from 'zod';
import type { HoldService } from './HoldService';
import { customAlphabet } from 'nanoid';
import type { EventAdminType, SalesRequestType, SalesState } from '../../machines/eventTypes';
import { salesStateAt, startEvent, stepEvent } from '../../machines/run/stepEvent';
import type { Clock } from '../clock';
import type { SeatEventHub } from '../events/SeatEventHub';
import type { CreateEventBody, eventDetailsSchema, eventViewSchema } from '../http/eventSchemas';
import { HttpError } from '../http/HttpError';
import { createLayout } from '../layout/createLayout';
import type { Layout } from '../layout/Layout';
import type { LayoutSpec } from '../layout/layoutSchema';
import type { HeldSeat, SalesGate, SeatService, SeatView } from '../SeatService';
import type { EventRecord, EventRegistry } from '../store/EventRegistry';
import { salesRefusalDetail } from './salesMessages';

export { DEFAULT_EVENT_ID } from '../store/EventRegistry';

/** An event as clients see it: the `Event` schema's type. */
export type EventView = z.infer<typeof eventViewSchema>;

/** Counts of one price category's seats by state. */
export type CategoryCounts = EventDetails['categories'][number];

/** An event with its counts and its layout, enough for a client to draw the map. */
export type EventDetails = z.infer<typeof eventDetailsSchema>;

/** What an event's seats run on, opened on first use: its seat service and its seat routes. */
export interface EventSeats {
  service: SeatService;
  /** The event's multi-seat holds. */
  holds: HoldService;
  /** The event's seat transitions as Server-Sent Events. */
  hub: SeatEventHub;
  close(): Promise<void>;
}

export interface EventServiceOptions {
  registry: EventRegistry;
  clock: Clock;
  /** A new event's lock TTL when its body gives none (`LOCK_TTL_MS`). */
  lockTtlMs: number;
  /** Opens an event's seats (store, lock cap, event stream): called once, on first use. */
  openSeats(event: EventRecord, layout: Layout, sales: SalesGate): EventSeats;
  /**
   * Whether other instances write these events' seats too (a shared store): an event this
   * process never opened may then have locks and bookings, so its details read them. Without it,
   * an event not opened here is known to be all available.
   */
  sharedSeats?: boolean;
}

const newId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 12);

/**
 * The box office's events: creates them, lists and describes them, passes an admin's OPEN, CLOSE
 * and CANCEL to their sales machine, and gives each event's seats (opened on first use, so an
 * event nobody has touched costs its record and nothing else). It asks the event machine whether
 * a seat request may go ahead and words its refusal; it never decides that itself.
 *
 * @example
 * ```ts
 * const events = new EventService({ registry, clock, lockTtlMs: 60_000, openSeats });
 * const hamlet = await events.create({ name: 'Hamlet', layout: { rows: 10, seatsPerRow: 20 } });
 * const seats = await events.seatsOf(hamlet.id);
 * await seats.service.lock('A1', 'alice');
 * ```
 */
export class EventService {
  private readonly seats = new Map<string, EventSeats>();
  private readonly layouts = new Map<string, Layout>();
  /** Writes the adopted (default) event's record, until that has succeeded once. */
  private adopting: (() => Promise<void>) | undefined;
  private adoption: Promise<void> | undefined;

  constructor(private readonly options: EventServiceOptions) {}

  /** Creates an event from a validated body; 409 `EVENT_EXISTS` when its id is taken. */
  async create(body: Omit<CreateEventBody, 'layout'> & { layout: LayoutSpec }): Promise<EventView> {
    const { clock, lockTtlMs } = this.options;
    const now = clock.now();
    const record = await this.options.registry.createEvent({
      id: body.id ?? newId(),
      name: body.name,
      startsAt: body.startsAt ?? null,
      lockTtlMs: body.lockTtlMs ?? lockTtlMs,
      layout: body.layout,
      sales: startEvent({ now, salesOpenAt: body.salesOpenAt, salesCloseAt: body.salesCloseAt }),
    });
    if (!record) {
      throw new HttpError(
        409,
        'EVENT_EXISTS',
        `There is already an event ${JSON.stringify(body.id)}; choose another id, or leave it out to get one.`,
      );
    }
    return this.view(record);
  }

  /**
   * One page of events in id order, only those in sales state `state` when given (decided by each
   * event's machine at the current time, so a filter never needs a stored state).
   */
  async list(query: {
    state?: SalesState;
    after?: string;
    limit: number;
  }): Promise<{ events: EventView[]; next: string | null }> {
    const events: EventView[] = [];
    let after = query.after;
    for (;;) {
      const page = await this.options.registry.listEvents({ after, limit: query.limit });
      for (const record of page.events) {
        const view = this.view(record);
        if (query.state === undefined || view.salesState === query.state) events.push(view);
        if (events.length === query.limit) {
          const more = record.id !== page.events[page.events.length - 1].id || page.next !== null;
          return { events, next: more ? record.id : null };
        }
      }
      if (page.next === null) return { events, next: null };
      after = page.next;
    }
  }

  /** The event with its seat counts (by state and by category) and its layout. */
  async details(id: string): Promise<EventDetails> {
    const record = await this.require(id);
    const layout = this.layoutOf(record);
    const sections = layout.sections();
    const seats =
      this.seats.get(id) ?? (this.options.sharedSeats ? await this.seatsOf(id) : undefined);
    const counts = seats
      ? await seats.service.summary()
      : { total: layout.size, available: layout.size, locked: 0, booked: 0 };
    const categories = new Map<string, CategoryCounts>();
    for (const section of sections) {
      const entry = categories.get(section.category) ?? {
        category: section.category,
        total: 0,
        available: 0,
        locked: 0,
        booked: 0,
      };
      entry.total += section.seats;
      entry.available += section.seats;
      categories.set(section.category, entry);
    }
    if (seats && (counts.locked > 0 || counts.booked > 0)) {
      for (const state of ['locked', 'booked'] as const) {
        let after: string | undefined;
        do {
          const page = await seats.service.list({ state, after, limit: 10_000 });
          for (const seat of page.seats) {
            // From the layout: the default event's seat answers carry no category (its old routes'
            // answers are kept as they were), so `seat.category` may be absent.
            const entry = categories.get(layout.placeAt(layout.indexOf(seat.id)!).category)!;
            entry[state]++;
            entry.available--;
          }
          after = page.next ?? undefined;
        } while (after !== undefined);
      }
    }
    return {
      ...this.view(record),
      counts,
      categories: [...categories.values()],
      layout: { sections },
    };
  }

  /** An admin's OPEN, CLOSE or CANCEL, decided by the event's machine. */
  async admin(id: string, type: EventAdminType): Promise<EventView> {
    const result = await this.options.registry.applyEvent(id, {
      type,
      now: this.options.clock.now(),
    });
    if (!result) throw notFound(id);
    const { reply, event } = result;
    if (reply?.type === 'sales.refused') {
      throw new HttpError(409, reply.code, salesRefusalDetail(reply, event.name));
    }
    return this.view(event);
  }

  /** The seats of event `id`, opened on first use; 404 `EVENT_NOT_FOUND` when there is none. */
  async seatsOf(id: string): Promise<EventSeats> {
    const open = this.seats.get(id);
    if (open) return open;
    const record = await this.require(id);
    // Checked again: another request may have opened them while the record was read.
    let seats = this.seats.get(id);
    if (!seats) {
      seats = this.options.openSeats(record, this.layoutOf(record), this.salesGate(id));
      this.seats.set(id, seats);
    }
    return seats;
  }

  /**
   * The seats `userId` holds and has booked in every event, each with its event's id, in event
   * order. Every event is asked (its seats opened here if they were not): on a shared database a
   * user may have locked a seat of an event through another instance.
   */
  async seatsOfUser(userId: string): Promise<{
    held: Array<HeldSeat & { eventId: string }>;
    booked: Array<SeatView & { eventId: string }>;
  }> {
    const held: Array<HeldSeat & { eventId: string }> = [];
    const booked: Array<SeatView & { eventId: string }> = [];
    let after: string | undefined;
    do {
      const page = await this.options.registry.listEvents({ after, limit: 100 });
      const mine = await Promise.all(
        page.events.map(async ({ id }) => ({
          eventId: id,
          ...(await (await this.seatsOf(id)).service.seatsOf(userId)),
        })),
      );
      for (const seats of mine) {
        held.push(...seats.held.map((seat) => ({ eventId: seats.eventId, ...seat })));
        booked.push(...seats.booked.map((seat) => ({ eventId: seats.eventId, ...seat })));
      }
      after = page.next ?? undefined;
    } while (after !== undefined);
    return { held, booked };
  }

  /**
   * Adds an event whose seats already run (the default event, made at start-up from the
   * configuration over the store the app was given), unless an event with its id exists (a
   * database keeps it, sales window included, across restarts). Its seats serve at once; its
   * record is written in the background, and every read of an event waits for that (a failure is
   * tried again by the next request).
   */
  adopt(
    event: Omit<EventRecord, 'version' | 'sales'>,
    open: (sales: SalesGate) => EventSeats,
  ): void {
    this.seats.set(event.id, open(this.salesGate(event.id)));
    this.adopting = async () => {
      const sales = startEvent({ now: this.options.clock.now() });
      await this.options.registry.createEvent({ ...event, sales });
    };
    // Started now; a failure here is the next request's to retry and report.
    this.adopted().catch(() => undefined);
  }

  /**
   * The question every seat request of event `id` puts to its sales window: the machine steps the
   * event's current record at the request's `now` and answers; its refusal is worded here.
   */
  salesGate(id: string): SalesGate {
    const judge = (record: EventRecord | undefined, request: SalesRequestType, now: number) => {
      if (!record) return { code: 'EVENT_NOT_FOUND', detail: notFound(id).detail };
      const { reply } = stepEvent(record.sales, { type: request, now });
      if (reply?.type !== 'sales.refused') return undefined;
      return { code: reply.code, detail: salesRefusalDetail(reply, record.name) };
    };
    const gate = async (request: SalesRequestType, now: number) => {
      await this.adopted();
      return judge(await this.options.registry.getEvent(id), request, now);
    };
    return Object.assign(gate, { eventId: id, ready: () => this.adopted(), judge });
  }

  async close(): Promise<void> {
    const open = [...this.seats.values()];
    this.seats.clear();
    await Promise.all(open.map((seats) => seats.close()));
  }

  /** Resolves once the adopted event's record is written (at once when it is). */
  private async adopted(): Promise<void> {
    const adopting = this.adopting;
    if (!adopting) return;
    this.adoption ??= adopting().then(
      () => {
        if (this.adopting === adopting) this.adopting = undefined;
      },
      (err: unknown) => {
        this.adoption = undefined;
        throw err;
      },
    );
    await this.adoption;
  }

  private async require(id: string): Promise<EventRecord> {
    await this.adopted();
    const record = await this.options.registry.getEvent(id);
    if (!record) throw notFound(id);
    return record;
  }

  private layoutOf(record: EventRecord): Layout {
    let layout = this.layouts.get(record.id);
    if (!layout) this.layouts.set(record.id, (layout = createLayout(record.layout)));
    return layout;
  }

  private view(record: EventRecord): EventView {
    const { context } = record.sales;
    return {
      id: record.id,
      name: record.name,
      salesState: salesStateAt(record.sales, this.options.clock.now()),
      startsAt: iso(record.startsAt),
      salesOpenAt: iso(context.salesOpenAt),
      salesCloseAt: iso(context.salesCloseAt),
      cancelledAt: iso(context.cancelledAt),
      createdAt: new Date(context.createdAt).toISOString(),
      lockTtlMs: record.lockTtlMs,
      seats: this.layoutOf(record).size,
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function notFound(id: string): HttpError {
  const shown = JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
  return new HttpError(
    404,
    'EVENT_NOT_FOUND',
    `There is no event ${shown}; GET /events lists them.`,
  );
}
