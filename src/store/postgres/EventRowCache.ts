import type { EventRecord } from '../EventRegistry';
import type { Database } from './Database';
import { toRecord, type EventRow } from './PostgresEventRegistry';
import { sql } from './sql';

/**
 * Each event's row as this process read it last (its sales window and version), so a seat request
 * can be judged without reading it: the statement that writes the request checks the version is
 * still that one (`sql.eventAtVersion`), and a refusal is only answered on a row read afresh
 * ({@link read}).
 *
 * @example
 * ```ts
 * const events = new EventRowCache(db);
 * const record = await events.get('hamlet'); // read once, then from memory
 * await events.read('hamlet'); // read again (a refusal is about to be answered)
 * ```
 */
export class EventRowCache {
  private readonly seen = new Map<string, EventRecord>();
  private readonly reading = new Map<string, Promise<EventRecord | undefined>>();

  constructor(private readonly db: Database) {}

  /**
   * The event's row as last read, read now if it never was (none: no such event); concurrent
   * first reads share one query, since what they get is only a guess checked by version.
   */
  async get(id: string): Promise<EventRecord | undefined> {
    const seen = this.seen.get(id);
    if (seen) return seen;
    let reading = this.reading.get(id);
    if (!reading) {
      reading = this.read(id).finally(() => this.reading.delete(id));
      this.reading.set(id, reading);
    }
    return reading;
  }

  /**
   * The event's row read now, and kept: what a refusal is answered on (never a read that began
   * before the request did).
   */
  async read(id: string): Promise<EventRecord | undefined> {
    const { rows } = await this.db.query<EventRow>(sql.selectEvent, [id], 'read');
    const record = rows[0] && toRecord(rows[0]);
    this.note(id, record);
    return record;
  }

  /** Keeps `record` as event `id`'s row (none: the event is not there). */
  note(id: string, record: EventRecord | undefined): void {
    if (record) this.seen.set(id, record);
    else this.seen.delete(id);
  }
}
