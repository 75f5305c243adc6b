import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { SeatStore, SeatTransition } from '../store/SeatStore';
import { sseComment, sseEvent } from './sse';

/** One open event stream, as the hub sees it: somewhere to write text, and a way to end it. */
export interface SeatEventClient {
  /** Returns `false` when the chunk had to be queued (the socket is not taking more now). */
  write(chunk: string): boolean | void;
  end(): void;
  /** Bytes written but not yet sent (a slow reader makes this grow). */
  readonly pending: number;
  /** Calls `listener` once, the next time everything queued has been sent (Node's `drain`). */
  onceDrained?(listener: () => void): void;
  /**
   * Cuts the connection at once, dropping what is queued (a graceful `end` would wait for a reader
   * that is not reading). Without it, a dropped client is ended.
   */
  destroy?(): void;
}

export interface SeatEventHubOptions {
  /** How many recent events are kept for `Last-Event-ID` resume (default 10 000). */
  bufferSize?: number;
  /** A comment line goes to every client this often, so proxies keep the stream open (default 15 000). */
  heartbeatMs?: number;
  /** Timers for the heartbeat; tests pass xstate's `SimulatedClock`. */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /**
   * A client with more than this many bytes unsent is dropped; it reconnects and resumes (default
   * 128 KiB: about 1,000 events behind, more than a sweep of 500 expiries sends at once).
   */
  maxPendingBytes?: number;
  /**
   * Most bytes a `Last-Event-ID` resume replays (default 32 KiB, about 250 events); a client that
   * missed more gets one `resync` event instead and reloads the seats.
   */
  maxReplayBytes?: number;
  /**
   * A client whose socket has not taken everything queued for it within this many ms is closed
   * (default 30 000): a reader that stopped reading holds a send buffer for nothing.
   */
  drainTimeoutMs?: number;
}

/** A transition kept in the ring before any stream needed its text (see `publish`). */
interface Unsent extends Pick<SeatTransition, 'id' | 'from' | 'to' | 'reason' | 'at'> {
  seq: number;
}

/** The same instant of the hub's life: ids from another process (or a restart) are never resumed. */
const ID = /^([0-9a-f]{8})-(\d{1,15})$/;

/**
 * Broadcasts every seat transition of a store (`store.subscribe`, lock expiries included) to any
 * number of Server-Sent Events clients. It subscribes to the store once, whatever the number of
 * clients, so it works unchanged over any store that reports its transitions, in-memory or shared.
 *
 * Each event gets the id `<stream>-<n>`: `stream` is random per hub and `n` counts up from 1. The
 * last `bufferSize` events are kept in a ring so a client that reconnects with `Last-Event-ID`
 * gets what it missed; when it missed more than that (or the id is from another stream, e.g.
 * before a restart) it gets a `resync` event instead and should reload the seats. A store that
 * may have missed transitions (PostgreSQL's LISTEN connection was lost) says so through
 * `subscribeGaps`: every client then gets a `resync` (reason `missed-events`), and so does one
 * resuming from before that moment.
 *
 * @example
 * ```ts
 * const hub = new SeatEventHub(store, { heartbeatMs: 15_000 });
 * const detach = hub.attach({ write: (s) => res.write(s), end: () => res.end(), get pending() { return res.writableLength; } }, req.get('Last-Event-ID'));
 * res.on('close', detach);
 * ```
 */
export class SeatEventHub {
  readonly stream = randomBytes(4).toString('hex');
  /**
   * The ring of the last {@link ringSize} events, grown as events come (an event's stream nobody
   * uses costs no 10,000-slot array: a box office has many idle events).
   */
  private readonly ring: Array<string | Unsent> = [];
  private readonly ringSize: number;
  private seq = 0;
  /** The id of the last `resync` sent because the store may have missed transitions. */
  private gapSeq = 0;
  private readonly unsubscribeGaps: () => void;
  private readonly clients = new Set<SeatEventClient>();
  private readonly unsubscribe: () => void;
  private readonly heartbeatMs: number;
  private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private readonly maxPendingBytes: number;
  private readonly maxReplayBytes: number;
  private readonly drainTimeoutMs: number;
  /** The deadline timer of each client whose socket has not drained yet. */
  private readonly stalled = new Map<SeatEventClient, unknown>();
  private heartbeat: unknown = undefined;
  private closed = false;

  constructor(
    source: Pick<SeatStore, 'subscribe' | 'subscribeGaps'>,
    options: SeatEventHubOptions = {},
  ) {
    this.ringSize = Math.max(1, options.bufferSize ?? 10_000);
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.clock = options.clock ?? systemClock;
    this.maxPendingBytes = options.maxPendingBytes ?? 128 * 1024;
    this.maxReplayBytes = options.maxReplayBytes ?? 32 * 1024;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.unsubscribe = source.subscribe((transition) => this.publish(transition));
    this.unsubscribeGaps = source.subscribeGaps(() => this.resync());
  }

  /** Open streams right now (a test checks it returns to 0 after clients leave). */
  get listenerCount(): number {
    return this.clients.size;
  }

  /** The id of the newest event, or `<stream>-0` before the first. */
  get lastEventId(): string {
    return `${this.stream}-${this.seq}`;
  }

  /**
   * Starts streaming to `client`: first what it missed since `lastEventId` (or a `resync` event),
   * then every new transition. Returns the function that detaches it; call it when the client
   * goes away (it is safe to call twice).
   */
  attach(client: SeatEventClient, lastEventId?: string): () => void {
    if (this.closed) {
      client.end();
      return () => {};
    }
    // `retry` tells EventSource to reconnect quickly; the comment makes the response start now.
    this.clients.add(client);
    this.send(client, `retry: 1000\n${sseComment('connected')}`);
    if (lastEventId !== undefined && lastEventId !== '')
      this.send(client, this.replay(lastEventId));
    this.armHeartbeat();
    return () => this.detach(client);
  }

  /** Ends every stream and stops listening to the store. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.unsubscribeGaps();
    for (const client of [...this.clients]) {
      this.detach(client);
      client.end();
    }
  }

  /**
   * One SSE `data` line per transition: the seat, its states, why it moved as the machine decided
   * it (`locked`, `confirmed`, `released`, `expired`), and when. Never whose lock it was.
   */
  private publish({ id, from, to, reason, at }: SeatTransition): void {
    const event: Unsent = { seq: ++this.seq, id, from, to, reason, at };
    // Written out when someone reads it: with no stream open (most of the time, on most events)
    // a lock pays for keeping five fields, not for an ISO date and a JSON line.
    if (this.clients.size === 0) {
      this.ring[event.seq % this.ringSize] = event;
      return;
    }
    const chunk = this.written(event);
    this.ring[event.seq % this.ringSize] = chunk;
    this.broadcast(chunk);
  }

  /** The SSE message of a transition, exactly as it would have been written when it happened. */
  private written({ seq, id, from, to, reason, at }: Unsent): string {
    const data = JSON.stringify({ id, from, to, reason, at: new Date(at).toISOString() });
    return sseEvent(`${this.stream}-${seq}`, data);
  }

  /**
   * The store may have missed transitions (its database connection was lost and is back): every
   * client gets a `resync` event, and a client resuming from before it will get one too.
   */
  private resync(): void {
    // The resync is an event of its own: a client that saw it resumes after it normally.
    this.gapSeq = ++this.seq;
    const detail =
      'Seat changes may have been missed while the database connection was down; reload the seats.';
    const data = JSON.stringify({ reason: 'missed-events', detail });
    const chunk = sseEvent(this.lastEventId, data, 'resync');
    this.ring[this.seq % this.ringSize] = chunk;
    this.broadcast(chunk);
  }

  /** What a client that last saw `lastEventId` missed, or a `resync` event when that is unknown. */
  private replay(lastEventId: string): string {
    const match = ID.exec(lastEventId);
    const seen = match && match[1] === this.stream ? Number(match[2]) : -1;
    if (seen >= 0 && seen < this.gapSeq) {
      const detail = `Seat changes after event ${lastEventId} may have been missed while the database connection was down; reload the seats.`;
      return sseEvent(
        this.lastEventId,
        JSON.stringify({ reason: 'missed-events', detail }),
        'resync',
      );
    }
    const oldest = Math.max(1, this.seq - this.ringSize + 1);
    if (seen < oldest - 1 || seen > this.seq) {
      const reason = seen === -1 ? 'unknown-stream' : seen > this.seq ? 'unknown-event' : 'too-old';
      const detail =
        reason === 'too-old'
          ? `Event ${lastEventId} is older than the last ${this.ringSize} events kept; reload the seats.`
          : `Event ${lastEventId.slice(0, 40)} is not from this stream (the service may have restarted); reload the seats.`;
      return sseEvent(this.lastEventId, JSON.stringify({ reason, detail }), 'resync');
    }
    const missed: string[] = [];
    let bytes = 0;
    for (let n = seen + 1; n <= this.seq; n++) {
      const kept = this.ring[n % this.ringSize];
      const chunk = typeof kept === 'string' ? kept : this.written(kept);
      this.ring[n % this.ringSize] = chunk;
      bytes += chunk.length;
      if (bytes > this.maxReplayBytes) {
        // More than a resume may send at once: one resync instead of a burst the client (or a
        // never-reading socket) would have to hold.
        const detail = `More seat changes happened since event ${lastEventId} than a resume replays; reload the seats.`;
        return sseEvent(this.lastEventId, JSON.stringify({ reason: 'too-old', detail }), 'resync');
      }
      missed.push(chunk);
    }
    return missed.join('');
  }

  private broadcast(chunk: string): void {
    for (const client of this.clients) {
      if (client.pending > this.maxPendingBytes) {
        // It reads slower than seats change: drop it rather than buffer without bound. EventSource
        // reconnects with its Last-Event-ID and catches up from the ring (or resyncs).
        this.drop(client);
        continue;
      }
      this.send(client, chunk);
    }
  }

  /**
   * Writes to one client. When its socket does not take the chunk at once, the client must drain
   * within `drainTimeoutMs` or be closed: a client that stopped reading would otherwise keep its
   * stream, and every byte queued for it, for as long as it likes.
   */
  private send(client: SeatEventClient, chunk: string): void {
    if (client.write(chunk) !== false || this.stalled.has(client) || !client.onceDrained) return;
    const timer = this.clock.setTimeout(() => {
      this.stalled.delete(client);
      if (this.clients.has(client)) this.drop(client);
    }, this.drainTimeoutMs);
    this.stalled.set(client, timer);
    client.onceDrained(() => {
      this.clock.clearTimeout(timer);
      this.stalled.delete(client);
    });
  }

  /** Lets go of a client too slow to keep: EventSource reconnects and resumes, or resyncs. */
  private drop(client: SeatEventClient): void {
    this.detach(client);
    if (client.destroy) client.destroy();
    else client.end();
  }

  private detach(client: SeatEventClient): void {
    this.clients.delete(client);
    const stall = this.stalled.get(client);
    if (stall !== undefined) {
      this.clock.clearTimeout(stall);
      this.stalled.delete(client);
    }
    if (this.clients.size === 0 && this.heartbeat !== undefined) {
      this.clock.clearTimeout(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** One timer for all clients, running only while there are some. */
  private armHeartbeat(): void {
    if (this.heartbeat !== undefined || this.heartbeatMs <= 0) return;
    this.heartbeat = this.clock.setTimeout(() => {
      this.heartbeat = undefined;
      this.broadcast(sseComment('heartbeat'));
      if (this.clients.size > 0) this.armHeartbeat();
    }, this.heartbeatMs);
  }
}
