import type { EventEvent, EventReply } from '../../machines/eventTypes';
import type { EventSnapshot } from '../../machines/run/stepEvent';
import type { LayoutSpec } from '../layout/layoutSchema';

/**
 * The id of the event the unprefixed routes (`/seats/…`) serve, made at start-up (PostgreSQL: the
 * single venue of a database from before events became it).
 */
export const DEFAULT_EVENT_ID = 'default';

/** One event as a store keeps it: what it is, its layout, and its sales window's machine. */
export interface EventRecord {
  /** URL-safe slug; the key of the event and of every one of its seats. */
  id: string;
  name: string;
  /** When the performance starts (ms since epoch), if given. */
  startsAt: number | null;
  /** How long a lock on one of its seats lasts. */
  lockTtlMs: number;
  layout: LayoutSpec;
  /** The sales window as the machine last wrote it (reads step it to now; see `salesStateAt`). */
  sales: EventSnapshot;
  /** Bumped by every write of `sales`: the compare-and-set's version. */
  version: number;
}

export interface EventPage {
  events: EventRecord[];
  /** The id to pass as `after` for the next page, or `null` at the end. */
  next: string | null;
}

/** What happened when an admin event reached an event's machine. */
export interface EventApplyResult {
  reply: EventReply | undefined;
  event: EventRecord;
}

/**
 * Where events live: each event's record, with its sales window kept as the machine's snapshot.
 * The store never decides whether an admin event is allowed: `applyEvent` steps the machine
 * (`stepEvent`) on the record it holds and writes the result back atomically, like a seat.
 * Every method touches one event only, so a store distributed by event id needs no other contract.
 */
export interface EventRegistry {
  /** Adds `event`, or returns `undefined` when an event with its id already exists. */
  createEvent(event: Omit<EventRecord, 'version'>): Promise<EventRecord | undefined>;
  getEvent(id: string): Promise<EventRecord | undefined>;
  /** Events in id order, after `after` (exclusive). */
  listEvents(query: { after?: string; limit: number }): Promise<EventPage>;
  /** Sends an admin event (or TICK) to event `id`'s machine; `undefined` when there is no such event. */
  applyEvent(id: string, event: EventEvent): Promise<EventApplyResult | undefined>;
}
