import { streamCaps, type StreamCapSnapshot } from '../../machines/run/streamCaps';
import type { StreamCapReply } from '../../machines/streamCapMachine';

export type StreamRefusal = Extract<StreamCapReply, { type: 'stream.refused' }>;

export interface StreamGateOptions {
  /** Most streams one client address may hold open (`0`: no cap). */
  maxPerClient: number;
  /** Most streams the service holds open in all (`0`: no cap). */
  maxTotal: number;
}

/**
 * The door of `GET /seats/events`: runs `streamCapMachine` once per client address and once for
 * the service, and lets a stream in only when both accept it. Every stream let in must be
 * reported with {@link leave} when it closes. An address with no stream open has no entry.
 *
 * @example
 * ```ts
 * const gate = new StreamGate({ maxPerClient: 32, maxTotal: 10_000 });
 * const refused = gate.enter('203.0.113.9');
 * if (!refused) res.on('close', () => gate.leave('203.0.113.9'));
 * ```
 */
export class StreamGate {
  private readonly clients = new Map<string, StreamCapSnapshot>();
  private service: StreamCapSnapshot | undefined;

  constructor(private readonly options: StreamGateOptions) {
    if (options.maxTotal > 0) this.service = streamCaps.start(options.maxTotal, 'service');
  }

  /** Streams open now from `client` (for tests and the bench). */
  openFrom(client: string): number {
    return this.clients.get(client)?.context.open ?? 0;
  }

  /** Lets a stream from `client` in (`undefined`), or says which cap refused it. */
  enter(client: string): StreamRefusal | undefined {
    const { maxPerClient } = this.options;
    let mine: StreamCapSnapshot | undefined;
    if (maxPerClient > 0) {
      const [next, reply] = streamCaps.step(
        this.clients.get(client) ?? streamCaps.start(maxPerClient, 'client'),
        { type: 'OPEN' },
      );
      if (reply?.type === 'stream.refused') return reply;
      mine = next;
    }
    if (this.service) {
      const [next, reply] = streamCaps.step(this.service, { type: 'OPEN' });
      if (reply?.type === 'stream.refused') return reply;
      this.service = next;
    }
    if (mine) this.clients.set(client, mine);
    return undefined;
  }

  /** A stream `enter` let in has closed. */
  leave(client: string): void {
    if (this.service) [this.service] = streamCaps.step(this.service, { type: 'CLOSED' });
    const mine = this.clients.get(client);
    if (!mine) return;
    const [next] = streamCaps.step(mine, { type: 'CLOSED' });
    if (next.context.open === 0) this.clients.delete(client);
    else this.clients.set(client, next);
  }
}
