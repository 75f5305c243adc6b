import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { SeatChange } from '../../../machines/run/seatChanges';
import type { Clock } from '../../clock';
import type { SeatTransition } from '../SeatStore';
import { CHANNEL, sql } from './sql';
import { APPLICATION_NAME } from './Database';

/**
 * A transition as the channel hands it to its event's store: the seat by its index in the event's
 * layout (the store names it), so nothing shared by every event needs any event's layout.
 */
export type HeardTransition = Omit<SeatTransition, 'id'> & { idx: number };

/** One seat's step as it travels in a NOTIFY payload: its event, and which instance made it. */
interface Published {
  event: string;
  idx: number;
  at: number;
  origin: string;
  changes: SeatChange[];
}

export interface TransitionChannelOptions {
  connectionString: string;
  /** Stamps each transition's `at`. */
  clock: Pick<Clock, 'now'>;
  logError: (err: unknown) => void;
}

/**
 * Every event's transitions over PostgreSQL's `NOTIFY`, on one channel and one connection however
 * many events there are: {@link payload} is what a writer publishes inside its writing statement
 * (so exactly the committed transitions are heard), and a dedicated connection `LISTEN`s for every
 * instance's, this one's included, handing each to the subscribers of its event. A lost connection is reported and reopened (every 200 ms until the database
 * answers); transitions committed meanwhile are not heard, so once it is back the
 * {@link subscribeGaps} listeners are told (event streams send `resync`).
 *
 * @example
 * ```ts
 * const channel = new TransitionChannel({ connectionString, clock, logError });
 * await channel.listen();
 * channel.subscribe('hamlet', (t) => console.log(t.idx, t.to, t.local));
 * ```
 */
export class TransitionChannel {
  /** Each event's listeners. */
  private readonly events = new Map<string, Set<(heard: HeardTransition) => void>>();
  /** Tells this instance's transitions from the ones it hears from others (see `local`). */
  private readonly origin = randomBytes(6).toString('hex');
  private listener: Client | undefined;
  private closed = false;
  /** Told when transitions may have been missed (the connection was lost, and is back). */
  private readonly gaps = new Set<() => void>();
  /** Whether the connection was lost since it was last open: the next open is a reconnect. */
  private lost = false;

  constructor(private readonly options: TransitionChannelOptions) {}

  /** Calls `listener` on every transition of event `eventId`'s seats; returns the unsubscribe. */
  subscribe(eventId: string, listener: (heard: HeardTransition) => void): () => void {
    let listeners = this.events.get(eventId);
    if (!listeners) this.events.set(eventId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.events.get(eventId) === listeners) {
        this.events.delete(eventId);
      }
    };
  }

  /**
   * Calls `listener` each time the LISTEN connection is back after being lost: transitions
   * committed meanwhile were not heard, so whoever shows seats should reload them.
   */
  subscribeGaps(listener: () => void): () => void {
    this.gaps.add(listener);
    return () => this.gaps.delete(listener);
  }

  /**
   * The NOTIFY payload of one step of seat `index` of event `eventId`: the same fields the memory
   * store's transitions carry (reason, lock holder), plus this instance's `origin`.
   */
  payload(eventId: string, index: number, changes: SeatChange[]): string {
    const published: Published = {
      event: eventId,
      idx: index,
      at: this.options.clock.now(),
      origin: this.origin,
      changes,
    };
    return JSON.stringify(published);
  }

  /** Opens the dedicated connection and LISTENs on it. */
  async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.options.connectionString,
      application_name: APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    client.on('notification', ({ payload }) => this.publish(payload));
    let gone = false;
    const onLost = (err?: Error) => {
      if (gone) return;
      gone = true;
      if (err && !this.lost && !this.closed) this.options.logError(err);
      void client.end().catch(() => undefined);
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.lost = true;
      // Transitions committed while the connection is down are not heard: reconnect, then tell
      // subscribers to reload (see subscribeGaps).
      setTimeout(() => this.relisten(), 200).unref();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(sql.listen(CHANNEL));
    } catch (err) {
      gone = true;
      void client.end().catch(() => undefined);
      throw err;
    }
    this.listener = client;
    if (this.lost) {
      this.lost = false;
      for (const gap of this.gaps) gap();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.clear();
    this.gaps.clear();
    await this.listener?.end().catch(() => undefined);
  }

  /** Tries again every 200 ms until the database answers (errors were reported once, on loss). */
  private relisten(): void {
    if (this.closed || this.listener) return;
    this.listen().catch(() => setTimeout(() => this.relisten(), 200).unref());
  }

  private publish(payload: string | undefined): void {
    if (!payload) return;
    const { event, idx, at, origin, changes } = JSON.parse(payload) as Published;
    const listeners = this.events.get(event);
    if (!listeners) return;
    const local = origin === this.origin;
    for (const change of changes) {
      for (const listener of listeners) listener({ ...change, idx, at, local });
    }
  }
}
