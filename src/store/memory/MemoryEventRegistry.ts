import type { EventEvent } from '../../../machines/eventTypes';
import { stepEvent } from '../../../machines/run/stepEvent';
import type { EventApplyResult, EventPage, EventRecord, EventRegistry } from '../EventRegistry';

/**
 * Events in this process: a map from id to record, plus the ids in order for pages. An event
 * costs its record (a few hundred bytes, the layout's rows included); its seats cost nothing
 * until the seat store made for it on first use holds some.
 *
 * @example
 * ```ts
 * const registry = new MemoryEventRegistry();
 * await registry.createEvent({ id: 'hamlet', name: 'Hamlet', … });
 * await registry.applyEvent('hamlet', { type: 'CLOSE', now: Date.now() });
 * ```
 */
export class MemoryEventRegistry implements EventRegistry {
  private readonly events = new Map<string, EventRecord>();
  /** Ids in order, kept sorted on insert (events are created rarely, read in pages often). */
  private readonly ids: string[] = [];

  async createEvent(event: Omit<EventRecord, 'version'>): Promise<EventRecord | undefined> {
    if (this.events.has(event.id)) return undefined;
    const record = { ...event, version: 1 };
    this.events.set(event.id, record);
    this.ids.splice(this.insertionPoint(event.id), 0, event.id);
    return record;
  }

  async getEvent(id: string): Promise<EventRecord | undefined> {
    return this.events.get(id);
  }

  async listEvents({ after, limit }: { after?: string; limit: number }): Promise<EventPage> {
    const start = after === undefined ? 0 : this.insertionPoint(after, true);
    const ids = this.ids.slice(start, start + limit);
    const next = start + limit < this.ids.length ? ids[ids.length - 1] : null;
    return { events: ids.map((id) => this.events.get(id)!), next };
  }

  /** Steps the machine synchronously: no other request runs between the read and the write. */
  async applyEvent(id: string, event: EventEvent): Promise<EventApplyResult | undefined> {
    const record = this.events.get(id);
    if (!record) return undefined;
    const step = stepEvent(record.sales, event);
    if (!step.changed) return { reply: step.reply, event: record };
    const next = { ...record, sales: step.snapshot, version: record.version + 1 };
    this.events.set(id, next);
    return { reply: step.reply, event: next };
  }

  /** Where `id` goes in the sorted ids (after an equal one when `after` is set). */
  private insertionPoint(id: string, after = false): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ids[mid] < id || (after && this.ids[mid] === id)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
