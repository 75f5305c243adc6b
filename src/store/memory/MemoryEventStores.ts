import type { InspectionEvent } from 'xstate';
import type { Clock } from '../../clock';
import type { Layout } from '../../layout/Layout';
import type { EventRecord } from '../EventRegistry';
import type { EventStores } from '../EventStores';
import { MemoryEventRegistry } from './MemoryEventRegistry';
import { MemorySeatStore } from './MemorySeatStore';

/**
 * Events in this process's memory: a {@link MemoryEventRegistry}, and a {@link MemorySeatStore} of
 * its own for each event (nothing is shared between events, so nothing needs an event key). What
 * `createApp` uses beside a store that brings no events of its own.
 *
 * @example
 * ```ts
 * const events = new MemoryEventStores({ clock: systemClock });
 * const seats = events.openEvent({ id: 'hamlet', lockTtlMs: 60_000 }, new Venue(5, 8));
 * ```
 */
export class MemoryEventStores implements EventStores {
  readonly registry = new MemoryEventRegistry();

  constructor(
    private readonly options: {
      clock: Clock;
      /** xstate inspection callback given to every seat actor of every event. */
      inspect?: (event: InspectionEvent) => void;
    },
  ) {}

  openEvent(event: Pick<EventRecord, 'id' | 'lockTtlMs'>, layout: Layout): MemorySeatStore {
    const { clock, inspect } = this.options;
    return new MemorySeatStore({ venue: layout, ttlMs: event.lockTtlMs, clock, inspect });
  }
}
