import type { Layout } from '../layout/Layout';
import type { EventRecord, EventRegistry } from './EventRegistry';
import type { SeatStore } from './SeatStore';

/**
 * Where a box office's events live beside its default event: their records and, for each, a seat
 * store of the same kind as the default event's, sharing what can be shared (PostgreSQL: one
 * connection pool, one LISTEN connection, one sweeper). A store shared by several instances
 * provides its own (`SeatStore.events`), so an event made on one instance is served by every
 * other; `createApp` keeps events in memory for a store without it.
 *
 * @example
 * ```ts
 * const events: EventStores = store.events ?? new MemoryEventStores({ clock });
 * const record = await events.registry.getEvent('hamlet');
 * const seats = events.openEvent(record!, createLayout(record!.layout));
 * ```
 */
export interface EventStores {
  readonly registry: EventRegistry;
  /**
   * The seats of `event` laid out as `layout`: a store of its own (closing it frees what is only
   * its own), keyed by the event's id wherever seats are kept.
   */
  openEvent(event: Pick<EventRecord, 'id' | 'lockTtlMs'>, layout: Layout): SeatStore;
}
