import type { EventEvent } from '../../../machines/eventTypes';
import { persistEvent, restoreEvent, stepEvent } from '../../../machines/run/stepEvent';
import type { LayoutSpec } from '../../layout/layoutSchema';
import type { EventApplyResult, EventPage, EventRecord, EventRegistry } from '../EventRegistry';
import type { Database } from './Database';
import { sql } from './sql';

/** An event's row as the registry reads it back. */
export interface EventRow {
  id: string;
  name: string;
  starts_at: string | null;
  lock_ttl_ms: number;
  layout: LayoutSpec;
  sales: unknown;
  version: number;
}

/** A compare-and-set that keeps losing means something is wrong: give up rather than spin. */
const MAX_ATTEMPTS = 100;

/**
 * Events in PostgreSQL (table `event`), shared by every instance on the database: an event made
 * on one is found by all. The sales window is kept as the event machine's persisted snapshot;
 * `applyEvent` steps the machine on the row it read and writes the result back only if the row's
 * version is still the one read (compare-and-set, like a seat), so two admins closing and
 * cancelling at once on two instances are decided one after the other by the machine. Every
 * statement touches one event, except listing, a read.
 *
 * @example
 * ```ts
 * const registry = new PostgresEventRegistry(db);
 * await registry.createEvent({ id: 'hamlet', name: 'Hamlet', … });
 * await registry.applyEvent('hamlet', { type: 'CLOSE', now: Date.now() });
 * ```
 */
export class PostgresEventRegistry implements EventRegistry {
  constructor(private readonly db: Database) {}

  async createEvent(event: Omit<EventRecord, 'version'>): Promise<EventRecord | undefined> {
    const { rows } = await this.db.query<EventRow>(
      sql.insertEvent,
      [
        event.id,
        event.name,
        event.startsAt,
        event.lockTtlMs,
        JSON.stringify(event.layout),
        JSON.stringify(persistEvent(event.sales)),
      ],
      'write',
    );
    return rows[0] && toRecord(rows[0]);
  }

  async getEvent(id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.db.query<EventRow>(sql.selectEvent, [id], 'read');
    return rows[0] && toRecord(rows[0]);
  }

  async listEvents({ after, limit }: { after?: string; limit: number }): Promise<EventPage> {
    // One more than asked: whether there is a next page, without a count.
    const { rows } = await this.db.query<EventRow>(
      sql.selectEvents,
      [after ?? null, limit + 1],
      'read',
    );
    const events = rows.slice(0, limit).map(toRecord);
    return { events, next: rows.length > limit ? events[events.length - 1].id : null };
  }

  async applyEvent(id: string, event: EventEvent): Promise<EventApplyResult | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const record = await this.getEvent(id);
      if (!record) return undefined;
      const step = stepEvent(record.sales, event);
      if (!step.changed) return { reply: step.reply, event: record };
      const { rows } = await this.db.query<EventRow>(
        sql.updateEventSales,
        [id, JSON.stringify(persistEvent(step.snapshot)), record.version],
        'write',
      );
      if (rows[0]) return { reply: step.reply, event: toRecord(rows[0]) };
    }
    throw new Error(`Event ${id}: gave up after ${MAX_ATTEMPTS} conflicting writes`);
  }
}

/**
 * An event's row as a record, its sales window restored as the machine's snapshot.
 *
 * @example
 * ```ts
 * const { rows } = await db.query<EventRow>(sql.selectEvent, ['hamlet'], 'read');
 * toRecord(rows[0]).sales.value; // 'onSale'
 * ```
 */
export function toRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    name: row.name,
    startsAt: row.starts_at === null ? null : Number(row.starts_at),
    lockTtlMs: row.lock_ttl_ms,
    layout: row.layout,
    sales: restoreEvent(row.sales),
    version: row.version,
  };
}
