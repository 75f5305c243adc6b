import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { SeatChange } from '../../../machines/run/seatChanges';
import type { Clock } from '../../clock';
import type { Venue } from '../../venue';
import type { SeatTransition } from '../SeatStore';
import { TransitionFeed } from '../TransitionFeed';
import { CHANNEL, sql } from './sql';

/** A transition as it travels in a NOTIFY payload: which instance made it rides along. */
type Published = SeatTransition & { origin: string };

export interface TransitionChannelOptions {
  connectionString: string;
  venue: Venue;
  /** Stamps each transition's `at`. */
  clock: Pick<Clock, 'now'>;
  logError: (err: unknown) => void;
}

/**
 * The store's transitions over PostgreSQL's `NOTIFY`: {@link payload} is what a writer publishes
 * inside its writing statement (so exactly the committed transitions are heard), and a dedicated
 * connection `LISTEN`s for every instance's, this one's included, handing them to the store's
 * subscribers. A lost connection is reported and reopened a second later; transitions committed
 * meanwhile are not heard.
 *
 * @example
 * ```ts
 * const channel = new TransitionChannel({ connectionString, venue, clock, logError });
 * await channel.listen();
 * channel.subscribe((t) => console.log(t.id, t.to, t.local));
 * ```
 */
export class TransitionChannel {
  private readonly feed = new TransitionFeed();
  /** Tells this instance's transitions from the ones it hears from others (see `local`). */
  private readonly origin = randomBytes(6).toString('hex');
  private listener: Client | undefined;
  private closed = false;

  constructor(private readonly options: TransitionChannelOptions) {}

  subscribe(listener: (transition: SeatTransition) => void): () => void {
    return this.feed.subscribe(listener);
  }

  /**
   * The NOTIFY payload of one seat's step: the same fields the memory store's transitions carry
   * (reason, lock holder), plus this instance's `origin`.
   */
  payload(index: number, changes: SeatChange[]): string {
    const id = this.options.venue.idAt(index);
    const at = this.options.clock.now();
    const published: Published[] = changes.map((change) => ({
      id,
      ...change,
      at,
      origin: this.origin,
    }));
    return JSON.stringify(published);
  }

  /** Opens the dedicated connection and LISTENs on it. */
  async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', ({ payload }) => this.publish(payload));
    client.on('error', (err) => {
      if (this.closed) return;
      this.options.logError(err);
      if (this.listener === client) this.listener = undefined;
      // Transitions committed while the connection is down are not heard; reconnect and go on.
      setTimeout(() => this.relisten(), 1000).unref();
    });
    await client.connect();
    await client.query(sql.listen(CHANNEL));
    this.listener = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.feed.clear();
    await this.listener?.end().catch(() => undefined);
  }

  private relisten(): void {
    if (this.closed || this.listener) return;
    this.listen().catch((err) => {
      this.options.logError(err);
      setTimeout(() => this.relisten(), 1000).unref();
    });
  }

  private publish(payload: string | undefined): void {
    if (!payload) return;
    for (const { origin, ...heard } of JSON.parse(payload) as Published[]) {
      this.feed.publish({ ...heard, local: origin === this.origin });
    }
  }
}
